namespace MlacRelease.Training.Erasure;

/// <summary>Finds the tokens whose presence goes with the harmful label: per token, the defender's examples that contain
/// it, per class, tested against the classes' shares (χ²), selected at a false-discovery rate.</summary>
public static class TokenAssociations
{
    /// <param name="tokenIds">Each example's token ids (repeats within an example count once).</param>
    /// <param name="labels">Each example's harmful class in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of harmful classes (at least 2).</param>
    /// <param name="vocabulary">The wordpieces, by id, to name the selected tokens.</param>
    /// <param name="minCount">Tokens in fewer examples are not tested (their χ² approximation is poor and they would
    /// only dilute the correction).</param>
    /// <param name="falseDiscoveryRate">Benjamini–Hochberg q.</param>
    /// <returns>The selected tokens, most significant first (ties by id); and how many tokens were tested.</returns>
    public static (IReadOnlyList<TokenAssociation> Selected, int Tested) Find(IReadOnlyList<IReadOnlyList<int>> tokenIds, IReadOnlyList<int> labels,
        int classes, IReadOnlyList<string> vocabulary, int minCount, double falseDiscoveryRate)
    {
        if (tokenIds.Count != labels.Count) throw new ArgumentException($"{tokenIds.Count} token lists but {labels.Count} labels");
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var classTotals = new double[classes];
        var counts = new Dictionary<int, int[]>();
        var seen = new HashSet<int>();
        for (var i = 0; i < tokenIds.Count; i++)
        {
            var label = labels[i];
            if (label < 0 || label >= classes) throw new ArgumentOutOfRangeException(nameof(labels), label, $"example {i}'s class is outside [0, {classes - 1}]");
            classTotals[label]++;
            seen.Clear();
            foreach (var id in tokenIds[i])
            {
                if (id < 0 || id >= vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(tokenIds), id, $"example {i} holds a token id outside the vocabulary");
                if (!seen.Add(id)) continue;
                if (!counts.TryGetValue(id, out var perClass)) counts[id] = perClass = new int[classes];
                perClass[label]++;
            }
        }
        var total = classTotals.Sum();
        var tested = counts.Where(kv => kv.Value.Sum() >= minCount).OrderBy(kv => kv.Key).ToList();
        var stats = tested.Select(kv =>
        {
            var n = kv.Value.Sum();
            var expected = classTotals.Select(t => n * t / total).ToArray();
            var chi = ChiSquareTest.Statistic(kv.Value.Select(c => (double)c).ToArray(), expected);
            var over = Enumerable.Range(0, classes).Where(c => expected[c] > 0).MaxBy(c => kv.Value[c] / expected[c]);
            return new TokenAssociation(kv.Key, vocabulary[kv.Key], kv.Value, chi, ChiSquareTest.UpperTail(chi, classes - 1), over);
        }).ToList();
        var discovered = BenjaminiHochberg.Discoveries(stats.Select(s => s.PValue).ToList(), falseDiscoveryRate);
        var selected = stats.Where((_, i) => discovered[i]).OrderBy(s => s.PValue).ThenBy(s => s.TokenId).ToList();
        return (selected, stats.Count);
    }
}
