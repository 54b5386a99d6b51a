namespace MlacRelease.Common.Text;

/// <summary>A padded batch in row-major [batch, length] arrays: ids, attention mask (1 real, 0 pad) and token types.</summary>
public sealed record TokenizedBatch(int BatchSize, int Length, long[] InputIds, long[] AttentionMask, long[] TokenTypeIds)
{
    public int RealTokens(int row)
    {
        var count = 0;
        foreach (var m in AttentionMask.AsSpan(row * Length, Length)) count += (int)m;
        return count;
    }
}
