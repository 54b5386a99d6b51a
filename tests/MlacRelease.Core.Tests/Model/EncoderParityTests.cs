using MlacRelease.Common.Text;
using Microsoft.ML.OnnxRuntime;
using MlacRelease.Core.Text;
using TorchSharp;
using Xunit.Abstractions;

namespace MlacRelease.Core.Tests.Model;

/// <summary>
/// The TorchSharp encoder on weights imported from the PyTorch-exported MiniLM model.onnx must reproduce what ONNX
/// Runtime computes from that same file: an independent implementation of the same function. The encoder runs in fp64
/// (as export's parity check does), so the bound holds ONNX Runtime's fp32 error alone; libtorch's own fp32 rounding
/// depends on the CPU (2.1E-04 from fp64 with MKL's AVX-512 kernels, 0.5E-04 with its AVX2 ones).
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class EncoderParityTests(MiniLmFixture miniLm, ITestOutputHelper output)
{
    [Fact]
    public void TorchSharp_encoder_matches_OnnxRuntime_on_the_original_MiniLM_export()
    {
        var sentences = Sentences.Varied();
        sentences.Count.Should().BeGreaterThanOrEqualTo(64);
        using var options = new SessionOptions();
        using var session = new InferenceSession(miniLm.OnnxBytes, options);
        using var runOptions = new RunOptions();
        using var weights64 = miniLm.Weights.To(miniLm.Weights.Device, torch.ScalarType.Float64);

        double worstHidden = 0, worstPooled = 0;
        var batchSizes = new[] { 1, 3, 8, 17 };
        var index = 0;
        var batches = 0;
        for (var b = 0; index < sentences.Count; b++)
        {
            var size = Math.Min(batchSizes[b % batchSizes.Length], sentences.Count - index);
            var batch = miniLm.Tokenizer.EncodeBatch(sentences.Skip(index).Take(size).ToList(), maxLength: 128);
            index += size;
            batches++;

            var (ortHidden, ortPooled) = RunOnnxRuntime(session, runOptions, batch);
            using var scope = torch.NewDisposeScope();
            var (ids, mask, types) = batch.ToTensors();
            using var noGrad = torch.no_grad();
            using var result = weights64.Forward(ids, mask, types);
            var hidden = result.LastHiddenState.to(torch.ScalarType.Float32).data<float>().ToArray();
            var pooled = result.PooledOutput.to(torch.ScalarType.Float32).data<float>().ToArray();

            hidden.Length.Should().Be(ortHidden.Length);
            pooled.Length.Should().Be(ortPooled.Length);
            worstHidden = Math.Max(worstHidden, MaxAbsDiff(hidden, ortHidden));
            worstPooled = Math.Max(worstPooled, MaxAbsDiff(pooled, ortPooled));
        }

        output.WriteLine($"{sentences.Count} sentences in {batches} batches: max |Δ| last_hidden_state = {worstHidden:E3}, pooler_output = {worstPooled:E3}");
        worstHidden.Should().BeLessThanOrEqualTo(1e-4);
        worstPooled.Should().BeLessThanOrEqualTo(1e-4);
    }

    private static (float[] Hidden, float[] Pooled) RunOnnxRuntime(InferenceSession session, RunOptions runOptions, TokenizedBatch batch)
    {
        long[] shape = [batch.BatchSize, batch.Length];
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        var outputNames = session.OutputNames.ToArray();
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], outputNames);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        double worst = 0;
        for (var i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }
}
