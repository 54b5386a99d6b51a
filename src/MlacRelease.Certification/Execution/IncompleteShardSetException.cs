using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Execution;

/// <summary>A merge was asked for with shards missing or unfinished; names them so a scheduler can rerun exactly those.</summary>
public sealed class IncompleteShardSetException(IReadOnlyList<string> missing, int count)
    : MlacCheckFailedException($"cannot merge: {missing.Count} of {count} shard(s) missing or unfinished: {string.Join(", ", missing)}")
{
    /// <summary>"i/N" of each missing shard.</summary>
    public IReadOnlyList<string> Missing { get; } = missing;
}
