namespace MlacRelease.Certification.Execution;

/// <summary>What a shard run leaves behind: its folder (with the manifest) and how much it computed versus reused.</summary>
public sealed record ShardResult(string Folder, ShardSpec Shard, ShardManifest Manifest, int ComputedRuns, int ResumedRuns, TimeSpan Elapsed);
