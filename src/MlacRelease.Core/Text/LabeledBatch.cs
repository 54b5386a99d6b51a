using MlacRelease.Common.Text;
using TorchSharp;

namespace MlacRelease.Core.Text;

/// <summary>A padded batch with its labels; the unit every training and attack loop consumes.</summary>
public sealed record LabeledBatch(TokenizedBatch Tokens, long[] Desired, long[] Harmful)
{
    public int Count => Tokens.BatchSize;

    /// <summary>Pads pre-tokenized examples to the longest of them.</summary>
    public static LabeledBatch Collate(IReadOnlyList<EncodedExample> examples, int padId = 0)
    {
        if (examples.Count == 0) throw new ArgumentException("a batch needs at least one example", nameof(examples));
        var length = examples.Max(e => e.TokenIds.Length);
        var ids = new long[examples.Count * length];
        var mask = new long[ids.Length];
        for (var row = 0; row < examples.Count; row++)
        {
            var tokens = examples[row].TokenIds;
            var offset = row * length;
            Array.Fill(ids, padId, offset, length);
            for (var i = 0; i < tokens.Length; i++)
            {
                ids[offset + i] = tokens[i];
                mask[offset + i] = 1;
            }
        }
        return new LabeledBatch(new TokenizedBatch(examples.Count, length, ids, mask, new long[ids.Length]),
            examples.Select(e => (long)e.Desired).ToArray(), examples.Select(e => (long)e.Harmful).ToArray());
    }

    public torch.Tensor DesiredTensor(torch.Device? device = null) => torch.tensor(Desired, device: device);

    public torch.Tensor HarmfulTensor(torch.Device? device = null) => torch.tensor(Harmful, device: device);
}
