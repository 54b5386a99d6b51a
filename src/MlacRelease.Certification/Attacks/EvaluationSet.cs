using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// A held-out split collated once into length-sorted batches on the device, so the many evaluations of a battery do
/// not re-pad and re-upload it. Read-only after construction; shared by concurrent attacks.
/// </summary>
public sealed class EvaluationSet : IDisposable
{
    private readonly List<(Tensor Ids, Tensor Mask, Tensor Types)> _batches = [];

    public EvaluationSet(IReadOnlyList<EncodedExample> examples, Func<EncodedExample, int> label, Device device, int padId, int batchSize = 64)
    {
        if (examples.Count == 0) throw new ArgumentException("an evaluation set needs at least one example", nameof(examples));
        Examples = examples;
        var ordered = examples.OrderBy(e => e.TokenIds.Length).ToList();
        for (var start = 0; start < ordered.Count; start += batchSize)
        {
            var batch = LabeledBatch.Collate(ordered.Skip(start).Take(batchSize).ToList(), padId);
            _batches.Add(batch.Tokens.ToTensors(device));
        }
        Ordered = ordered;
        Labels = ordered.Select(label).ToArray();
        LabelTensor = tensor(Labels.Select(l => (long)l).ToArray(), device: device);
    }

    /// <summary>The examples in caller order (batches hold them sorted by length).</summary>
    public IReadOnlyList<EncodedExample> Examples { get; }

    /// <summary>The examples in batch order (sorted by length): the order scores and <see cref="Labels"/> come in.</summary>
    public IReadOnlyList<EncodedExample> Ordered { get; }

    public int Count => Labels.Length;

    /// <summary>Labels in batch order (the order scores come back in).</summary>
    public int[] Labels { get; }

    public Tensor LabelTensor { get; }

    public IReadOnlyList<(Tensor Ids, Tensor Mask, Tensor Types)> Batches => _batches;

    public void Dispose()
    {
        foreach (var (ids, mask, types) in _batches)
        {
            ids.Dispose();
            mask.Dispose();
            types.Dispose();
        }
        _batches.Clear();
        LabelTensor.Dispose();
    }
}
