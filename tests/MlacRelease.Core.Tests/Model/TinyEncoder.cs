using MlacRelease.Core.Model;
using TorchSharp;

namespace MlacRelease.Core.Tests.Model;

/// <summary>A tiny configuration and batch for gradient checks (float64, so finite differences are meaningful).</summary>
public static class TinyEncoder
{
    public static EncoderConfig Config { get; } = new()
    {
        VocabSize = 23, HiddenSize = 8, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 12,
        MaxPositionEmbeddings = 10, TypeVocabSize = 2,
    };

    public static (torch.Tensor Ids, torch.Tensor Mask, torch.Tensor Types) Batch()
    {
        var ids = torch.tensor(new long[] { 2, 5, 7, 9, 3, 2, 11, 4, 0, 0, 2, 19, 22, 1, 3 }, [3, 5]);
        var mask = torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1 }, [3, 5]);
        var types = torch.tensor(new long[] { 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 }, [3, 5]);
        return (ids, mask, types);
    }
}
