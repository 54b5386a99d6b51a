namespace MlacRelease.Inference;

public static class Softmax
{
    /// <summary>Probabilities from logits, computed stably (the maximum is subtracted first).</summary>
    public static float[] Of(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) return [];
        var max = float.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        var exps = new double[logits.Length];
        double sum = 0;
        for (var i = 0; i < logits.Length; i++) sum += exps[i] = Math.Exp(logits[i] - max);
        var probabilities = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++) probabilities[i] = (float)(exps[i] / sum);
        return probabilities;
    }
}
