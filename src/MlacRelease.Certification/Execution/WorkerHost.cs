using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// The worker side of a parallel certification: what a worker process calls (the CLI's hidden worker command). It
/// prepares the same session, checks that its identity is the parent's, then claims and runs units until none is
/// left. Results go to the shared output folder; the parent assembles them.
/// </summary>
public static class WorkerHost
{
    public static Task<int> RunAsync(CertificationRequest request, ShardSpec? shard = null, IProgress<CertificationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        shard ??= ShardSpec.Whole;
        using var threads = new TorchThreads(request.ThreadsPerWorker);
        using var gc = new BlockingGarbageCollection();
        using var session = CertificationSession.Create(request);
        var folder = Path.GetFullPath(request.OutputDirectory);
        var expected = WorkLoop.ReadIdentity(folder);
        if (expected != session.Identity)
            throw new MlacInputException($"{folder}: this worker's inputs give identity {session.Identity}, the parent's are {expected ?? "(not written yet)"}");
        var mine = ShardAssignment.Select(session.Units, shard);
        var store = new ResultStore(folder, session.Identity);
        var tracker = new ProgressTracker(mine, store, progress);
        new WorkLoop(session, store, tracker).RunClaimed(mine, cancellation);
        return Task.FromResult(0);
    }
}
