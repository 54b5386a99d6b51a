using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Validation;

namespace MlacRelease.Gate.Tests;

/// <summary>The one decision of how each flavour is held to its reference, as export, the writer and the gate use it.</summary>
public sealed class FlavorParityTests
{
    [Theory]
    [InlineData(OnnxGraphFlavor.Portable, ParityOptions.DefaultTolerance)]
    [InlineData(OnnxGraphFlavor.OnnxRuntimeFused, ParityOptions.DefaultTolerance)]
    [InlineData(OnnxGraphFlavor.Int8, ParityOptions.Int8Tolerance)]
    public void An_export_without_a_tolerance_is_checked_with_its_flavours_default(OnnxGraphFlavor flavor, double expected)
    {
        FlavorParity.DefaultTolerance(flavor).Should().Be(expected);
    }

    [Fact]
    public void The_gate_holds_fp32_graphs_to_the_policy_and_int8_graphs_to_the_int8_tolerance()
    {
        FlavorParity.GateTolerance(OnnxGraphFlavor.Portable, 1e-5).Should().Be(1e-5);
        FlavorParity.GateTolerance(OnnxGraphFlavor.OnnxRuntimeFused, 1e-5).Should().Be(1e-5);
        FlavorParity.GateTolerance(OnnxGraphFlavor.Int8, 1e-5).Should().Be(ParityOptions.Int8Tolerance);
    }

    [Fact]
    public void An_int8_graph_is_referenced_to_the_dequantized_weights_it_records_and_fp32_graphs_to_the_weights_given()
    {
        using var weights = EncoderWeights.RandomInit(GateFixture.Config, seed: 4);
        FlavorParity.ShippedWeightsIfOther(weights, OnnxGraphFlavor.Portable).Should().BeNull();
        using var shipped = FlavorParity.ShippedWeightsIfOther(weights, OnnxGraphFlavor.Int8);
        shipped.Should().NotBeNull();
        var recorded = EncoderOnnxExporter.Find(EncoderOnnxExporter.Build(weights, new OnnxExportOptions { Flavor = OnnxGraphFlavor.Int8, Tokenizer = new Common.Text.TokenizerSettings { MaxLength = 16 } }), OnnxMetadataKeys.WeightDigest);
        shipped!.Digest().Should().Be(recorded).And.NotBe(weights.Digest());
    }
}
