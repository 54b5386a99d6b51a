using MlacRelease.Common.Text;
using TorchSharp;

namespace MlacRelease.Core.Text;

public static class TokenizedBatchTensors
{
    /// <summary>The batch as int64 [batch, length] tensors on a device.</summary>
    public static (torch.Tensor InputIds, torch.Tensor AttentionMask, torch.Tensor TokenTypeIds) ToTensors(this TokenizedBatch batch, torch.Device? device = null)
    {
        long[] shape = [batch.BatchSize, batch.Length];
        return (torch.tensor(batch.InputIds, shape, device: device),
                torch.tensor(batch.AttentionMask, shape, device: device),
                torch.tensor(batch.TokenTypeIds, shape, device: device));
    }
}
