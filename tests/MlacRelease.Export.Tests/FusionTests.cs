using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MlacRelease.Export.Diagnostics;
using MlacRelease.Export.Onnx;
using Onnx;
using Xunit.Abstractions;

namespace MlacRelease.Export.Tests;

/// <summary>
/// Which fusions ONNX Runtime's optimizer applies to our export and to the original MiniLM export. ORT's in-session
/// SkipLayerNormFusion needs the sequence axis fixed (it compares dims 1 and 2 by value), and its AttentionFusion
/// matches only Add-7/13 and LayerNormalization-1 nodes, so no opset-17 graph gets either; the fused flavor writes
/// those kernels directly.
/// </summary>
[Collection(ExportCollection.Name)]
public sealed class FusionTests(ExportFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void ORT_fuses_at_least_as_much_in_ours_as_in_the_original()
    {
        foreach (var level in new[] { GraphOptimizationLevel.ORT_ENABLE_EXTENDED, GraphOptimizationLevel.ORT_ENABLE_ALL })
        {
            var ours = OrtOptimizationReport.Analyze(fixture.FullExportPath, level);
            var theirs = OrtOptimizationReport.Analyze(fixture.OriginalOnnxPath, level);
            output.WriteLine($"{level}: ours {ours.NodesBefore} → {ours.NodesAfter} nodes, fused: {ours.FusedSummary()}");
            output.WriteLine($"{level}: original {theirs.NodesBefore} → {theirs.NodesAfter} nodes, fused: {theirs.FusedSummary()}");
            ours.Fused.Should().Contain(new Dictionary<string, int> { ["BiasGelu"] = 6, ["FusedMatMul"] = 6 }, "the GELU and the scaled QKᵀ fuse in every layer");
            foreach (var (op, count) in theirs.Fused) ours.Fused.GetValueOrDefault(op).Should().BeGreaterThanOrEqualTo(count, op);
            ours.NodesAfter.Should().BeLessThanOrEqualTo(theirs.NodesAfter);
        }
    }

    [Fact]
    public void With_the_sequence_axis_pinned_ORT_also_fuses_SkipLayerNormalization_in_ours()
    {
        var ours = Pinned(fixture.FullExportPath);
        var theirs = Pinned(fixture.OriginalOnnxPath);
        output.WriteLine($"sequence pinned to 128: ours fused {ours.FusedSummary()}; original fused {theirs.FusedSummary()}");
        ours.Fused.GetValueOrDefault("SkipLayerNormalization").Should().Be(12);
    }

    [Fact]
    public void The_ORT_fused_flavor_runs_attention_and_skip_layer_norm_as_single_kernels()
    {
        var path = Path.Combine(fixture.Folder, $"fused-ops-{Guid.NewGuid():N}.onnx");
        EncoderOnnxExporter.Save(fixture.TwoLayers, path, new OnnxExportOptions { Flavor = OnnxGraphFlavor.OnnxRuntimeFused });
        var report = OrtOptimizationReport.Analyze(path, GraphOptimizationLevel.ORT_ENABLE_ALL);
        output.WriteLine($"ORT-fused flavor (2 layers): {report.NodesBefore} → {report.NodesAfter} nodes: {report.FusedSummary()}");
        report.Fused.Should().Contain(new Dictionary<string, int> { ["Attention"] = 2, ["SkipLayerNormalization"] = 4, ["BiasGelu"] = 2 });
    }

    private OrtOptimizationReport Pinned(string source)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        foreach (var input in model.Graph.Input) input.Type.TensorType.Shape.Dim[1].DimValue = 128;
        var path = Path.Combine(fixture.Folder, $"pinned-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return OrtOptimizationReport.Analyze(path, GraphOptimizationLevel.ORT_ENABLE_ALL);
    }
}
