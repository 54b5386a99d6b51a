using TorchSharp;

namespace MlacRelease.Core.Text;

/// <summary>A padded batch in row-major [batch, length] arrays: ids, attention mask (1 real, 0 pad) and token types.</summary>
public sealed record TokenizedBatch(int BatchSize, int Length, long[] InputIds, long[] AttentionMask, long[] TokenTypeIds)
{
    public int RealTokens(int row) => (int)AttentionMask.AsSpan(row * Length, Length).ToArray().Sum();

    public (torch.Tensor InputIds, torch.Tensor AttentionMask, torch.Tensor TokenTypeIds) ToTensors(torch.Device? device = null)
    {
        long[] shape = [BatchSize, Length];
        return (torch.tensor(InputIds, shape, device: device),
                torch.tensor(AttentionMask, shape, device: device),
                torch.tensor(TokenTypeIds, shape, device: device));
    }
}
