using MlacRelease.Common.Text;

namespace MlacRelease.Inference;

/// <summary>Sentence vectors from a batch's outputs.</summary>
public static class EmbeddingPooling
{
    public static float[] Pool(EncoderResult result, TokenizedBatch batch, int row, Pooling pooling)
    {
        switch (pooling)
        {
            case Pooling.Cls:
                return result.Hidden(row, 0).ToArray();
            case Pooling.Pooler:
                return result.Pooled(row).ToArray();
            case Pooling.Mean:
            {
                // Padding is excluded: a text's vector must not depend on the batch it was padded into.
                var sum = new double[result.HiddenSize];
                var count = 0;
                for (var token = 0; token < batch.Length; token++)
                {
                    if (batch.AttentionMask[row * batch.Length + token] == 0) continue;
                    var hidden = result.Hidden(row, token);
                    for (var i = 0; i < sum.Length; i++) sum[i] += hidden[i];
                    count++;
                }
                return sum.Select(s => (float)(s / Math.Max(count, 1))).ToArray();
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "unknown pooling");
        }
    }

    /// <summary>Scales to unit L2 length in place (a zero vector stays zero).</summary>
    public static void Normalize(float[] vector)
    {
        double norm = 0;
        foreach (var v in vector) norm += (double)v * v;
        norm = Math.Sqrt(norm);
        if (norm == 0) return;
        for (var i = 0; i < vector.Length; i++) vector[i] = (float)(vector[i] / norm);
    }
}
