using MlacRelease.Core.Numerics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Diagnostics;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Validation;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace MlacRelease.Export.Tests;

/// <summary>
/// The int8 flavour: per-channel symmetric int8 weights read back exactly as ONNX Runtime dequantizes them, ORT's
/// output against a TorchSharp forward that quantizes activations as ORT does (tight) and against the fp32 graph
/// (loose, cosine), ORT's fusions, the ONNX checker, and the structural binding that refuses altered int8 weights.
/// </summary>
[Collection(ExportCollection.Name)]
public sealed class Int8ExportTests(ExportFixture fixture, ITestOutputHelper output)
{
    private string Int8Export(EncoderWeights weights, ClassificationHead? head = null)
    {
        var path = Path.Combine(fixture.Folder, $"int8-{Guid.NewGuid():N}.onnx");
        EncoderOnnxExporter.Save(weights, path, new OnnxExportOptions { Flavor = OnnxGraphFlavor.Int8, Head = head });
        return path;
    }

    [Fact]
    public void Quantization_is_per_output_channel_within_half_a_scale_and_a_fixed_point_of_requantization()
    {
        using var generator = new torch.Generator(3, torch.CPU);
        using var w = torch.randn([5, 9], generator: generator);
        // Channels of very different ranges (per-channel scales matter), one all zero, one with a single outlier.
        HeldScalars.With(1e-3f, s => w[1].mul_(s));
        w[2].zero_();
        w[3, 4] = torch.tensor(40f);
        var weight = w.contiguous().data<float>().ToArray();
        var matrix = Int8Quantization.Quantize(w);
        matrix.Inputs.Should().Be(9);
        matrix.Outputs.Should().Be(5);
        var dequantized = Int8Quantization.Dequantize(matrix);
        for (var o = 0; o < 5; o++)
        {
            var maxAbs = Enumerable.Range(0, 9).Max(i => MathF.Abs(weight[o * 9 + i]));
            var scale = matrix.Scales[o];
            if (maxAbs == 0) scale.Should().Be(1f, "an all-zero channel gets scale 1 (and zeros)");
            else ((double)scale).Should().BeApproximately(maxAbs / 127.0, maxAbs / 127.0 * 1e-6, $"channel {o}'s scale is its max |w| / 127");
            for (var i = 0; i < 9; i++)
            {
                var q = matrix.Values[i * 5 + o];
                // Exactly ONNX Runtime's dequantization: (q − 0)·scale, one fp32 product.
                BitConverter.SingleToInt32Bits(dequantized[i * 5 + o]).Should().Be(BitConverter.SingleToInt32Bits(q * scale));
                Math.Abs(weight[o * 9 + i] - dequantized[i * 5 + o]).Should().BeLessThanOrEqualTo(scale / 2 * (1 + 1e-5f), $"w[{o},{i}] is within half a step");
            }
        }
        matrix.Values.Max().Should().Be(127);
        using var back = Int8Quantization.ToLinearWeight(dequantized, 9, 5);
        var again = Int8Quantization.Quantize(back);
        again.Values.Should().Equal(matrix.Values, "re-quantizing the dequantized weights gives the same int8 values");
        again.Scales.Should().Equal(matrix.Scales, "and the same scales, so a gate can rebuild the int8 graph from the certified weights");
    }

    [Fact]
    public void Requantization_is_a_fixed_point_on_every_MiniLM_linear_weight()
    {
        foreach (var name in Int8Quantization.QuantizedWeights(fixture.Weights.Config))
        {
            var matrix = Int8Quantization.Quantize(fixture.Weights[name]);
            using var dequantized = Int8Quantization.ToLinearWeight(Int8Quantization.Dequantize(matrix), matrix.Inputs, matrix.Outputs);
            var again = Int8Quantization.Quantize(dequantized);
            again.Scales.Should().Equal(matrix.Scales, name);
            again.Values.Should().Equal(matrix.Values, name);
        }
    }

    [Fact]
    public void The_importer_reads_the_int8_file_as_q_times_scale_per_column_and_the_digest_is_of_those_weights()
    {
        var path = Int8Export(fixture.TwoLayers);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        using var imported = OnnxBertImporter.Import(path);
        using var expected = Int8Quantization.Dequantized(fixture.TwoLayers, out var quantized);
        imported.Config.Should().Be(fixture.TwoLayers.Config);
        imported.Digest().Should().Be(expected.Digest()).And.Be(EncoderOnnxExporter.Find(model, Common.Release.OnnxMetadataKeys.WeightDigest));
        imported.Digest().Should().NotBe(fixture.TwoLayers.Digest(), "the int8 model computes with other weights than the fp32 ones");
        quantized.Should().HaveCount(12, "six Linears in each of two layers");

        // Dequantize the query weight of layer 0 by hand from the raw initializers: W[o, i] = q[i, o] · scale[o].
        var matMul = model.Graph.Node.First(n => n.OpType == "MatMulInteger");
        var values = model.Graph.Initializer.Single(t => t.Name == matMul.Input[1]);
        var scales = model.Graph.Initializer.Single(t => t.Name == matMul.Input[1] + "_scale");
        values.DataType.Should().Be((int)TensorProto.Types.DataType.Int8);
        values.Dims.Should().Equal(384, 384);
        scales.Dims.Should().Equal(384);
        var q = MemoryMarshal.Cast<byte, sbyte>(values.RawData.Span).ToArray();
        var s = MemoryMarshal.Cast<byte, float>(scales.RawData.Span).ToArray();
        var query = imported[BertParameterNames.Layer(0, BertParameterNames.Query + ".weight")].contiguous().data<float>().ToArray();
        for (var o = 0; o < 384; o += 37)
        {
            for (var i = 0; i < 384; i += 11) query[o * 384 + i].Should().Be(q[i * 384 + o] * s[o]);
        }
        // Everything that is not a Linear weight inside the layers is the fp32 original, bit for bit.
        foreach (var (name, tensor) in fixture.TwoLayers.Tensors.Where(t => !quantized.ContainsKey(t.Key)))
            imported[name].allclose(tensor, rtol: 0, atol: 0).Should().BeTrue(name);
    }

    [Fact]
    public void ORT_matches_the_quantized_activation_reference_tightly_and_the_fp32_graph_loosely()
    {
        var int8Path = Int8Export(fixture.TwoLayers, fixture.Head);
        using var shipped = OnnxBertImporter.Import(int8Path);
        var options = new ParityOptions { BatchSizes = [1, 4], SequenceLengths = [9, 33], Tolerance = ParityOptions.Int8Tolerance };
        var report = OnnxParityValidator.Compare(shipped, int8Path, fixture.Head, options);
        output.WriteLine("int8 graph vs TorchSharp with simulated int8 activations: " + report.Summary());
        report.Passed.Should().BeTrue(report.Summary());
        report.Cases.Should().OnlyContain(c => c.ReferenceNoise != null && c.ReferenceNoise.Count == report.OutputNames.Count, "an int8 case measures its reference's own noise");
        report.NoiseOf(Common.Release.OnnxIoNames.LastHiddenState).Should().BeGreaterThan(0, "fp64 sums differ from fp32 ones somewhere");
        // The per-sequence outputs agree far more tightly than the worst single token (one-step rounding flips).
        report.MaxAbsDiffOf(Common.Release.OnnxIoNames.PoolerOutput).Should().BeLessThan(2e-2);
        report.MaxAbsDiffOf(Common.Release.OnnxIoNames.Logits).Should().BeLessThan(2e-2);

        // The reference without activation quantization is much further away: the tight tolerance is not vacuous.
        var fp32Path = Path.Combine(fixture.Folder, $"fp32-{Guid.NewGuid():N}.onnx");
        EncoderOnnxExporter.Save(fixture.TwoLayers, fp32Path, new OnnxExportOptions { Head = fixture.Head });
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var int8 = new InferenceSession(int8Path, sessionOptions);
        using var fp32 = new InferenceSession(fp32Path, sessionOptions);
        var batch = fixture.Tokenizer.EncodeBatch(Sentences.Varied().Take(8).ToList());
        var a = OrtRunner.Run(int8, batch);
        var b = OrtRunner.Run(fp32, batch);
        var hidden = OrtRunner.MaxAbsDiff(a[0].Values, b[0].Values);
        var pooledCosine = MinRowCosine(a[1].Values, b[1].Values, fixture.TwoLayers.Config.HiddenSize);
        var tokenCosine = MinRowCosine(a[0].Values, b[0].Values, fixture.TwoLayers.Config.HiddenSize);
        output.WriteLine($"int8 vs fp32 graph: last_hidden_state max |Δ| {hidden:E3}; min cosine per token {tokenCosine:F5}, per pooled row {pooledCosine:F5}");
        pooledCosine.Should().BeGreaterThanOrEqualTo(0.99);
        tokenCosine.Should().BeGreaterThanOrEqualTo(0.95, "single tokens move more than sequence embeddings (measured 0.983 on the 2-layer model)");
        hidden.Should().BeGreaterThan(0, "weights and activations in int8 do change the output");
    }

    [Fact]
    public void The_noise_allowance_does_not_pass_an_int8_graph_of_other_weights()
    {
        var int8Path = Int8Export(fixture.TwoLayers, fixture.Head);
        using var shipped = OnnxBertImporter.Import(int8Path);
        // The reference holds one layer's attention output twice what the graph holds. (At 1.1× this 2-layer model's
        // outputs moved by less than the quantization noise itself, mean |Δ| 0.033 against 0.031, and the fixed 0.5
        // passed it too: parity cannot see small weight edits of an int8 graph; the structural check refuses them.)
        using var other = shipped.Clone();
        HeldScalars.With(2f, s => other.Tensors[BertParameterNames.Layer(1, BertParameterNames.AttentionOutput + ".weight")].mul_(s));
        var options = new ParityOptions { BatchSizes = [1, 4], SequenceLengths = [9, 33], Tolerance = ParityOptions.Int8Tolerance };
        var report = OnnxParityValidator.Compare(other, int8Path, fixture.Head, options);
        output.WriteLine("int8 graph vs a reference with one weight doubled: " + report.Summary());
        report.Passed.Should().BeFalse(report.Summary());
    }

    [Fact]
    public void An_int8_case_is_allowed_three_times_its_references_own_noise_in_max_and_mean_and_an_fp32_case_only_the_tolerance()
    {
        const string hidden = "last_hidden_state";
        ParityCase Case(double max, double mean, (double, double)? noise) => new("a batch", 1, 4, new Dictionary<string, double> { [hidden] = max })
        {
            MeanAbsDiff = new Dictionary<string, double> { [hidden] = mean },
            ReferenceNoise = noise is { } n ? new Dictionary<string, (double Max, double Mean)> { [hidden] = n } : null,
        };
        new ParityReport([Case(0.8, 0.01, (0.5, 0.01))], [hidden], 0.5).Passed.Should().BeTrue("0.8 ≤ 3 × 0.5 and 0.01 ≤ 3 × 0.01");
        new ParityReport([Case(1.6, 0.01, (0.5, 0.01))], [hidden], 0.5).Passed.Should().BeFalse("1.6 > 3 × 0.5");
        new ParityReport([Case(0.8, 0.04, (0.5, 0.01))], [hidden], 0.5).Passed.Should().BeFalse("a mean of 0.04 > 3 × 0.01: more than rare flips");
        new ParityReport([Case(0.4, 0.3, (0.01, 0.001))], [hidden], 0.5).Passed.Should().BeTrue("within the tolerance itself");
        new ParityReport([Case(0.8, 0.001, null)], [hidden], 0.5).Passed.Should().BeFalse("an fp32 graph gets no allowance");
        new ParityReport([Case(double.NaN, 0.001, (0.5, 0.01))], [hidden], 0.5).Passed.Should().BeFalse("NaN never passes");
        new ParityReport([Case(0.1, 0.001, (0.5, 0.01)), Case(1.6, 0.001, (0.5, 0.01))], [hidden], 0.5).Passed.Should().BeFalse("every case must pass");
    }

    [Fact]
    public void ORT_fuses_the_int8_linears_into_DynamicQuantizeMatMul_and_MatMulIntegerToFloat()
    {
        var report = OrtOptimizationReport.Analyze(Int8Export(fixture.TwoLayers), GraphOptimizationLevel.ORT_ENABLE_ALL);
        output.WriteLine($"{report.NodesBefore} → {report.NodesAfter} nodes; {report.FusedSummary()}");
        report.Fused.GetValueOrDefault("DynamicQuantizeMatMul").Should().Be(6, "attention output, intermediate and output of both layers quantize their own input");
        report.Fused.GetValueOrDefault("MatMulIntegerToFloat").Should().Be(6, "Q, K and V share one DynamicQuantizeLinear per layer");
        report.After.GetValueOrDefault("MatMulInteger").Should().Be(0);
        report.After.GetValueOrDefault("DynamicQuantizeLinear").Should().Be(2);
    }

    [Fact]
    public void The_ONNX_checker_passes_on_the_int8_model()
    {
        var (code, text) = OnnxChecker.Run(Int8Export(fixture.TwoLayers, fixture.Head));
        output.WriteLine(text);
        code.Should().Be(0, text);
    }

    [Fact]
    public void Structural_binding_accepts_the_int8_graph_and_refuses_an_altered_scale_or_a_rewired_product()
    {
        var path = Int8Export(fixture.TwoLayers);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        using (var weights = OnnxBertImporter.Import(model, path))
            StructuralBinding.FindDifference(model, weights, head: null).Should().BeNull();

        // One scale moved by one ulp: the dequantized weights change, and the rebuilt graph's scale is not this one.
        var altered = model.Clone();
        var scale = altered.Graph.Initializer.First(t => t.Name.EndsWith("_scale", StringComparison.Ordinal));
        var bytes = scale.RawData.ToByteArray();
        var first = BitConverter.ToSingle(bytes, 0);
        BitConverter.GetBytes(MathF.BitIncrement(first)).CopyTo(bytes, 0);
        scale.RawData = ByteString.CopyFrom(bytes);
        using (var weights = OnnxBertImporter.Import(altered, path))
        {
            weights.Digest().Should().NotBe(EncoderOnnxExporter.Find(model, Common.Release.OnnxMetadataKeys.WeightDigest));
            StructuralBinding.FindDifference(altered, weights, head: null).Should().NotBeNull("a scale that is not what quantizing the weights gives is refused");
        }

        // Query and key products swapped (same shapes): the graph computes another encoder than its weights name.
        var rewired = model.Clone();
        var products = rewired.Graph.Node.Where(n => n.OpType == "MatMulInteger").Take(2).ToList();
        (products[0].Input[1], products[1].Input[1]) = (products[1].Input[1], products[0].Input[1]);
        using (var weights = OnnxBertImporter.Import(rewired, path))
            StructuralBinding.FindDifference(rewired, weights, head: null).Should().NotBeNull();
    }

    private static double MinRowCosine(float[] a, float[] b, int width)
    {
        var worst = double.PositiveInfinity;
        for (var row = 0; row < a.Length / width; row++)
        {
            double dot = 0, na = 0, nb = 0;
            for (var i = row * width; i < (row + 1) * width; i++)
            {
                dot += (double)a[i] * b[i];
                na += (double)a[i] * a[i];
                nb += (double)b[i] * b[i];
            }
            worst = Math.Min(worst, dot / Math.Sqrt(na * nb));
        }
        return worst;
    }
}
