using MlacRelease.Core.Data;
using MlacRelease.Core.Text;

namespace MlacRelease.Certification.Attacks;

/// <summary>The first k examples of a list, stratified by harmful label (DatasetSplitter.TakeStratified on encoded
/// examples): caps the evaluation splits without skewing their label balance.</summary>
public static class StratifiedTake
{
    public static IReadOnlyList<int> Indices(IReadOnlyList<EncodedExample> examples, int count, IReadOnlyList<int>? order = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, examples.Count);
        var sequence = order ?? Enumerable.Range(0, examples.Count).ToList();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        // TakeStratified works on dataset examples; stand-ins carry the index in Id and the harmful label.
        var proxies = sequence.Select(i => new Example(i.ToString(inv), "", "-", examples[i].Harmful.ToString(inv))).ToList();
        return DatasetSplitter.TakeStratified(proxies, count).Select(e => int.Parse(e.Id, inv)).ToList();
    }

    public static IReadOnlyList<EncodedExample> Take(IReadOnlyList<EncodedExample> examples, int? count) =>
        count is { } k && k < examples.Count ? Indices(examples, k).Select(i => examples[i]).ToList() : examples;
}
