using MlacRelease.Core.Data;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// Draws training batches epoch by epoch: each epoch is a fresh seeded shuffle, cut into full batches (a short tail is
/// dropped, and it is a different tail each epoch). With fewer examples than the batch size, every batch is all of them.
/// </summary>
internal sealed class BatchSampler(int count, int batchSize, ulong seed)
{
    private readonly DeterministicRandom _random = new(seed);
    private readonly int _batch = Math.Min(batchSize, count);
    private int[] _order = [];
    private int _position;

    public int[] Next()
    {
        if (_position + _batch > _order.Length)
        {
            _order = Enumerable.Range(0, count).ToArray();
            _random.Shuffle(_order);
            _position = 0;
        }
        var batch = _order.AsSpan(_position, _batch).ToArray();
        _position += _batch;
        return batch;
    }
}
