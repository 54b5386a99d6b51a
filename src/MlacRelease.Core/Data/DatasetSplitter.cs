namespace MlacRelease.Core.Data;

/// <summary>
/// Deterministic, stratified splitting into defender-train / attacker-train / attacker-tune / test.
/// </summary>
/// <remarks>
/// Strata are the (desired, harmful) label pairs, so every split keeps the joint label distribution: the
/// attacker's small splits must not, by chance, miss a gender within a profession. The result depends only on
/// the set of examples, the fractions and the seed: each stratum is sorted by id before a seeded shuffle, and
/// each stratum's shuffle has its own derived seed, so reordering the file, or adding a stratum, leaves the
/// other strata's assignments unchanged.
/// </remarks>
public static class DatasetSplitter
{
    private const double Epsilon = 1e-9;

    private static readonly SplitName[] Order = [SplitName.DefenderTrain, SplitName.AttackerTrain, SplitName.AttackerTune, SplitName.Test];

    public static DatasetSplits Split(Dataset dataset, SplitFractions fractions, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(fractions);

        // Normalised so the quotas of a stratum sum to its size up to rounding, not up to the 1e-9 tolerance.
        var raw = Order.Select(s => fractions[s]).ToArray();
        var total = raw.Sum();
        var shares = raw.Select(f => f / total).ToArray();

        var parts = Order.Select(_ => new List<Example>()).ToArray();
        var carry = new double[Order.Length];
        var strata = dataset.Examples
            .GroupBy(e => (e.DesiredLabel, e.HarmfulLabel))
            .OrderBy(g => g.Key.DesiredLabel, StringComparer.Ordinal)
            .ThenBy(g => g.Key.HarmfulLabel, StringComparer.Ordinal);
        foreach (var stratum in strata)
        {
            var members = stratum.OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();
            var key = $"stratum\0{stratum.Key.DesiredLabel}\0{stratum.Key.HarmfulLabel}";
            new DeterministicRandom(DeterministicRandom.DeriveSeed(seed, key)).Shuffle(members);

            var counts = Allocate(members.Length, shares, carry);
            var offset = 0;
            for (var k = 0; k < parts.Length; k++)
            {
                parts[k].AddRange(members.AsSpan(offset, counts[k]));
                offset += counts[k];
            }
        }

        // Mixed once more so that a consumer reading a split in order does not see one stratum after another.
        for (var k = 0; k < parts.Length; k++)
            new DeterministicRandom(DeterministicRandom.DeriveSeed(seed, $"split\0{Order[k]}")).Shuffle(parts[k]);

        return new DatasetSplits(dataset, fractions, seed,
            parts[0].AsReadOnly(), parts[1].AsReadOnly(), parts[2].AsReadOnly(), parts[3].AsReadOnly());
    }

    /// <summary>
    /// The first <paramref name="count"/> examples of a split, stratified by harmful label: at each step the
    /// label furthest below its proportional share contributes its next example (in split order). Each label's
    /// count stays within one of its share, and a smaller take is always a prefix of a larger one, so the
    /// attacker's n = 20 examples are among its n = 50 examples and the learning curve measures data, not luck.
    /// </summary>
    public static IReadOnlyList<Example> TakeStratified(IReadOnlyList<Example> split, int count)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, split.Count);

        var groups = split
            .GroupBy(e => e.HarmfulLabel)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.ToArray())
            .ToArray();
        var taken = new int[groups.Length];
        var result = new List<Example>(count);
        for (var step = 1; step <= count; step++)
        {
            var best = -1;
            var bestDeficit = double.NegativeInfinity;
            for (var g = 0; g < groups.Length; g++)
            {
                if (taken[g] == groups[g].Length)
                    continue;
                var deficit = (double)step * groups[g].Length / split.Count - taken[g];
                if (deficit > bestDeficit + Epsilon)
                {
                    best = g;
                    bestDeficit = deficit;
                }
            }
            result.Add(groups[best][taken[best]++]);
        }
        return result.AsReadOnly();
    }

    /// <summary>
    /// Largest-remainder rounding of one stratum's quotas, so every split gets the floor or ceiling of its
    /// exact share of the stratum and each split's total is within the number of strata of its exact share.
    /// The leftover units go to the splits with the largest remainder plus the rounding error they have
    /// accumulated over earlier strata, which keeps small splits (2.5 %) from losing out in every small stratum.
    /// </summary>
    private static int[] Allocate(int size, double[] shares, double[] carry)
    {
        var quotas = shares.Select(s => size * s).ToArray();
        var counts = quotas.Select(q => (int)Math.Floor(q + Epsilon)).ToArray();
        var remaining = size - counts.Sum();

        var candidates = Enumerable.Range(0, shares.Length)
            .Where(k => quotas[k] - counts[k] > Epsilon)
            .OrderByDescending(k => quotas[k] - counts[k] + carry[k])
            .ThenByDescending(k => shares[k])
            .ThenBy(k => k)
            .ToList();
        foreach (var k in candidates.Take(Math.Max(remaining, 0)))
        {
            counts[k]++;
            remaining--;
        }

        // Floating-point slack only: a quota that sums a hair above or below the stratum size.
        var largest = Array.IndexOf(shares, shares.Max());
        for (; remaining > 0; remaining--)
            counts[largest]++;
        for (; remaining < 0; remaining++)
            counts[Array.IndexOf(counts, counts.Max())]--;

        for (var k = 0; k < shares.Length; k++)
            carry[k] += quotas[k] - counts[k];
        return counts;
    }
}
