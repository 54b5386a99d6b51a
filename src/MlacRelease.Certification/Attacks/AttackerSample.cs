using MlacRelease.Core.Data;
using MlacRelease.Core.Text;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// The n examples an attacker trains on for a seed: the attacker split in a seed-specific shuffled order, then the
/// first n stratified by harmful label. Within a seed the samples are nested (n = 20 ⊂ n = 50), so a learning curve
/// measures data, not a new draw; across seeds the draw changes, so the spread over seeds includes the attacker's
/// luck with data, as it does for a real attacker.
/// </summary>
public static class AttackerSample
{
    /// <returns>Indices into <paramref name="split"/>.</returns>
    public static IReadOnlyList<int> Indices(IReadOnlyList<EncodedExample> split, int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, split.Count);
        var order = Enumerable.Range(0, split.Count).ToArray();
        new DeterministicRandom(DeterministicRandom.DeriveSeed(seed, "attacker-sample")).Shuffle(order);
        return StratifiedTake.Indices(split, count, order);
    }
}
