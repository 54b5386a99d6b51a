using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Core.Evaluation;

/// <summary>
/// The encoder's pooled output (tanh(W·h_CLS + b), the features the paper's heads read) for a list of examples,
/// computed in batches under no_grad. Examples are batched in order of length so that little compute goes to padding;
/// the rows come back in the caller's order.
/// </summary>
public static class PooledFeatures
{
    public const int DefaultBatchSize = 64;

    /// <returns>[N, hidden] on the weights' device and dtype.</returns>
    public static Tensor Compute(EncoderWeights weights, IReadOnlyList<EncodedExample> examples, int batchSize = DefaultBatchSize) =>
        Compute(weights.Config, weights.Tensors, examples, batchSize);

    /// <summary>The same on an explicit parameter map (e.g. an attacker's adapted or compacted weights).</summary>
    public static Tensor Compute(EncoderConfig config, IReadOnlyDictionary<string, Tensor> parameters,
        IReadOnlyList<EncodedExample> examples, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var embeddings = parameters[BertParameterNames.WordEmbeddings];
        if (examples.Count == 0) return empty([0, config.HiddenSize], embeddings.dtype, embeddings.device);
        var rows = embeddings.shape[0];
        foreach (var example in examples)
        {
            if (example.TokenIds.Length == 0) throw new ArgumentException("an example has no tokens", nameof(examples));
            foreach (var id in example.TokenIds)
            {
                if (id < 0 || id >= rows) throw new ArgumentException($"token id {id} is outside the embedding table (0..{rows - 1})", nameof(examples));
            }
        }

        // Stable sort by length: equal-length examples keep their order, so the batching is a function of the list.
        var order = Enumerable.Range(0, examples.Count).OrderBy(i => examples[i].TokenIds.Length).ToArray();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = embeddings.device;
        var pieces = new List<Tensor>();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var slice = order.Skip(start).Take(batchSize).Select(i => examples[i]).ToList();
            var batch = LabeledBatch.Collate(slice, config.PadTokenId);
            var (ids, mask, types) = batch.Tokens.ToTensors(device);
            pieces.Add(BertEncoder.Forward(config, parameters, ids, mask, types).PooledOutput);
        }
        var sorted = cat(pieces, 0);
        var inverse = new long[order.Length];
        for (var position = 0; position < order.Length; position++) inverse[order[position]] = position;
        return sorted.index_select(0, tensor(inverse, device: device)).MoveToOuterDisposeScope();
    }
}
