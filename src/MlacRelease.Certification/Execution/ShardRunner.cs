using MlacRelease.Certification.Certificates;
using MlacRelease.Common.IO;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Runs one deterministic slice (i/N) of a certification's units into a folder, resumably: finished runs and units
/// are on disk as they complete and are not redone after a crash. Writes <see cref="ShardManifest"/> when done.
/// Any scheduler can run the N shards (Slurm job arrays, Kubernetes indexed Jobs, CI matrices); <see cref="ShardMerger"/>
/// joins their folders.
/// </summary>
public static class ShardRunner
{
    public static async Task<ShardResult> RunAsync(CertificationRequest request, ShardSpec shard, IProgress<CertificationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        using var threads = new TorchThreads(request.ThreadsPerWorker);
        using var session = CertificationSession.Create(request);
        var folder = Path.GetFullPath(request.OutputDirectory);
        var manifestPath = Path.Combine(folder, ShardManifest.FileName);
        if (File.Exists(manifestPath))
        {
            var existing = CanonicalJson.Deserialize<ShardManifest>(File.ReadAllBytes(manifestPath), manifestPath);
            if (existing.Identity != session.Identity)
                throw new InvalidDataException($"{manifestPath}: the folder holds another certification (identity {existing.Identity}); use a fresh folder");
            if (existing.Shard != shard.Number || existing.ShardCount != shard.Count)
                throw new InvalidDataException($"{manifestPath}: the folder holds shard {existing.Shard}/{existing.ShardCount}, not {shard}");
        }

        var mine = ShardAssignment.Select(session.Units, shard);
        var store = new ResultStore(folder, session.Identity);
        var tracker = new ProgressTracker(mine, progress);
        var executor = new UnitExecutor(session, store, tracker.Run);
        var results = await WorkerPool.RunAsync(mine, request.Workers, executor.Execute, tracker.UnitDone, cancellation).ConfigureAwait(false);

        var manifest = new ShardManifest(ShardManifest.CurrentSchema, session.Identity, shard.Number, shard.Count, session.Context,
            mine.Select(u => u.Id).ToList());
        AtomicFile.WriteAllBytes(manifestPath, CanonicalJson.Serialize(manifest));
        return new ShardResult(folder, shard, manifest, tracker.Computed, tracker.Resumed, tracker.Elapsed);
    }
}
