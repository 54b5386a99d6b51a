using System.Collections.Concurrent;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Runs units on W dedicated threads, largest estimated cost first (so a long unit does not start last and hold up
/// the end). The first failure cancels the others and is rethrown; results are keyed by unit id, so completion
/// order never reaches the certificate.
/// </summary>
internal static class WorkerPool
{
    public static async Task<IReadOnlyDictionary<string, StoredUnit>> RunAsync(IReadOnlyList<WorkUnit> units, int workers,
        Func<WorkUnit, CancellationToken, StoredUnit> work, Action onUnitDone, CancellationToken cancellation)
    {
        var queue = new ConcurrentQueue<WorkUnit>(ShardAssignment.LargestFirst(units).Select(p => p.Unit));
        var results = new ConcurrentDictionary<string, StoredUnit>(StringComparer.Ordinal);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var tasks = Enumerable.Range(0, Math.Max(1, Math.Min(workers, units.Count))).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested && queue.TryDequeue(out var unit))
            {
                try
                {
                    results[unit.Id] = work(unit, stop.Token);
                    onUnitDone();
                }
                catch
                {
                    stop.Cancel();
                    throw;
                }
            }
            stop.Token.ThrowIfCancellationRequested();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            // Prefer the failure that stopped the pool over the cancellations it caused in the other workers.
            var failure = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            throw;
        }
        return results;
    }
}
