using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;

namespace MlacRelease.Export.Tests;

/// <summary>Runs any encoder graph on a tokenized batch and returns every output (in the session's order).</summary>
public static class OrtRunner
{
    public static IReadOnlyList<(long[] Shape, float[] Values)> Run(InferenceSession session, TokenizedBatch batch)
    {
        long[] shape = [batch.BatchSize, batch.Length];
        using var runOptions = new RunOptions();
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        using var outputs = session.Run(runOptions, [OnnxIoNames.InputIds, OnnxIoNames.AttentionMask, OnnxIoNames.TokenTypeIds],
            [ids, mask, types], session.OutputNames.ToArray());
        return outputs.Select(o => (o.GetTensorTypeAndShape().Shape, o.GetTensorDataAsSpan<float>().ToArray())).ToList();
    }

    public static double MaxAbsDiff(float[] a, float[] b)
    {
        a.Length.Should().Be(b.Length);
        double worst = 0;
        for (var i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }
}
