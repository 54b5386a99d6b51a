using MlacRelease.Certification.Certificates;
using MlacRelease.Common.IO;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Runs one deterministic slice (i/N) of a certification's units into a folder, resumably: finished runs and units
/// are on disk as they complete and are not redone after a crash. With <see cref="CertificationRequest.Workers"/>
/// &gt; 1 the calling process is worker 0 and the request's <see cref="CertificationRequest.WorkerLauncher"/> starts
/// the others, which claim units from the same folder. Writes <see cref="ShardManifest"/> when every unit is done.
/// Any scheduler can run the N shards (Slurm job arrays, Kubernetes indexed Jobs, CI matrices); <see cref="ShardMerger"/>
/// joins their folders.
/// </summary>
public static class ShardRunner
{
    public static async Task<ShardResult> RunAsync(CertificationRequest request, ShardSpec shard, IProgress<CertificationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        if (request.Workers > 1 && request.WorkerLauncher is null)
            throw new ArgumentException("parallel workers run as processes: set CertificationRequest.WorkerLauncher (see IWorkerLauncher)");
        using var threads = new TorchThreads(request.ThreadsPerWorker);
        using var gc = new BlockingGarbageCollection();
        using var session = CertificationSession.Create(request);
        var folder = Path.GetFullPath(request.OutputDirectory);
        Directory.CreateDirectory(folder);
        var manifestPath = Path.Combine(folder, ShardManifest.FileName);
        var previous = WorkLoop.ReadIdentity(folder);
        if (previous is not null && previous != session.Identity)
            throw new MlacInputException($"{folder}: the folder holds another certification (identity {previous}); use a fresh folder");
        if (File.Exists(manifestPath))
        {
            var existing = CanonicalJson.Deserialize<ShardManifest>(File.ReadAllBytes(manifestPath), manifestPath);
            if (existing.Shard != shard.Number || existing.ShardCount != shard.Count)
                throw new MlacInputException($"{manifestPath}: the folder holds shard {existing.Shard}/{existing.ShardCount}, not {shard}");
        }

        var mine = ShardAssignment.Select(session.Units, shard);
        var store = new ResultStore(folder, session.Identity);
        var cached = session.FillFromCache(store, mine);
        var tracker = new ProgressTracker(mine.Where(u => !cached.Contains(u.Id)).ToList(), store, progress);
        var loop = new WorkLoop(session, store, tracker);
        new UnitClaims(folder).Clear();
        WorkLoop.WriteIdentity(folder, session.Identity);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var workers = Enumerable.Range(1, request.Workers - 1).Select(i => request.WorkerLauncher!.RunWorkerAsync(i, stop.Token)).ToList();
        try
        {
            // This process is worker 0; it runs on the calling thread, the only thread here that touches tensors (a
            // progress timer beside it would allocate, and so collect, while tensor code runs: see BlockingGarbageCollection).
            loop.RunClaimed(mine, stop.Token);
            using (new Timer(_ => tracker.Report("(worker processes)"), null, TimeSpan.Zero, TimeSpan.FromSeconds(5)))
            {
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            // Units claimed by a worker that died are finished here; a worker's failure costs time, not results.
            loop.RunRemaining(mine, stop.Token);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            catch (Exception) when (workers.Count > 0)
            {
                // The first failure is the one worth reporting; workers' cancellations follow from it.
            }
            throw;
        }

        var manifest = new ShardManifest(ShardManifest.CurrentSchema, session.Identity, shard.Number, shard.Count, session.Context,
            mine.Select(u => u.Id).ToList());
        AtomicFile.WriteAllBytes(manifestPath, CanonicalJson.Serialize(manifest));
        return new ShardResult(folder, shard, manifest, tracker.Computed, tracker.Resumed, tracker.Elapsed, cached.Count);
    }
}
