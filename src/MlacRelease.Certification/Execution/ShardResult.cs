namespace MlacRelease.Certification.Execution;

/// <summary>What a shard run leaves behind: its folder (with the manifest) and how much it computed versus reused.</summary>
/// <param name="CachedUnits">Reference-arm units taken from the baseline cache in this run.</param>
public sealed record ShardResult(string Folder, ShardSpec Shard, ShardManifest Manifest, int ComputedRuns, int ResumedRuns, TimeSpan Elapsed, int CachedUnits = 0);
