using MlacRelease.Core.Text;

namespace MlacRelease.Certification.Data;

/// <summary>
/// The token ids that occur in a certification's data, renumbered 0..count−1 in ascending order of the original id.
/// </summary>
/// <remarks>
/// Fine-tuning runs on the rows of the word-embedding matrix that the data can reach, not on all 30,522. A row that
/// never occurs in an input gets a zero gradient and affects no output, and every optimiser in the battery updates
/// each element from its own gradient history (clipping by the global norm sees the same norm, since the missing
/// rows contribute zeros), so every number a run reports is the one the full matrix would give; only the cost of
/// the dense embedding gradient and optimiser state disappears.
/// </remarks>
public sealed class CompactVocabulary
{
    private readonly Dictionary<int, int> _compact;

    private CompactVocabulary(int[] originalIds, int padId)
    {
        OriginalIds = originalIds;
        _compact = originalIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        PadId = _compact[padId];
    }

    /// <summary>Original id of each compact id.</summary>
    public IReadOnlyList<int> OriginalIds { get; }

    public int Count => OriginalIds.Count;

    /// <summary>The padding token's compact id (the pad row is always kept: batches are padded with it).</summary>
    public int PadId { get; }

    public static CompactVocabulary Build(IEnumerable<IEnumerable<EncodedExample>> examples, int padId)
    {
        var ids = new SortedSet<int> { padId };
        foreach (var list in examples)
        {
            foreach (var example in list) ids.UnionWith(example.TokenIds);
        }
        return new CompactVocabulary(ids.ToArray(), padId);
    }

    public EncodedExample Map(EncodedExample example) =>
        example with { TokenIds = Array.ConvertAll(example.TokenIds, id => _compact[id]) };

    public IReadOnlyList<EncodedExample> Map(IReadOnlyList<EncodedExample> examples) => examples.Select(Map).ToList();
}
