using System.Diagnostics;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Turns finished runs into progress events. It counts runs on disk in the output folder rather than its own runs, so
/// the parent's events include what worker processes finished; runs on disk before the start count as resumed and
/// are left out of the speed behind the ETA. Units taken from the baseline cache are not given to it at all. The ETA
/// weighs runs by the planner's cost (<see cref="CostWeightedEta"/>).
/// </summary>
internal sealed class ProgressTracker
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly IReadOnlyList<WorkUnit> _units;
    private readonly ResultStore _store;
    private readonly IProgress<CertificationProgress>? _progress;
    private readonly int _totalRuns;
    private readonly double _totalCost;
    private readonly double _costAtStart;

    public ProgressTracker(IReadOnlyList<WorkUnit> units, ResultStore store, IProgress<CertificationProgress>? progress)
    {
        _units = units;
        _store = store;
        _progress = progress;
        _totalRuns = units.Sum(u => u.Runs);
        _totalCost = units.Sum(u => u.Cost);
        (Resumed, _costAtStart) = Finished();
    }

    /// <summary>Runs already on disk when this tracker started.</summary>
    public int Resumed { get; }

    /// <summary>Runs finished since the start, by any worker.</summary>
    public int Computed => Finished().Runs - Resumed;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Runs on disk and their planned cost, from one listing of each unit's run folder.</summary>
    private (int Runs, double Cost) Finished()
    {
        var runs = 0;
        var cost = 0.0;
        foreach (var unit in _units)
        {
            var finished = _store.FinishedRuns(unit);
            runs += finished;
            cost += CostWeightedEta.Done(unit, finished);
        }
        return (runs, cost);
    }

    public void Run(RunEvent e) => Report($"{e.Unit.Id}: {e.Run}");

    public void Report(string lastRun)
    {
        if (_progress is null) return;
        CertificationProgress report;
        lock (_gate)
        {
            var (done, cost) = Finished();
            var units = _units.Count(_store.HasUnit);
            // One clock reading: the ETA and the elapsed time it is shown beside are of the same moment.
            var elapsed = _clock.Elapsed;
            var eta = CostWeightedEta.Remaining(_totalCost, _costAtStart, cost, elapsed);
            report = new CertificationProgress(done, _totalRuns, Resumed, units, _units.Count, lastRun, elapsed, eta);
        }
        _progress.Report(report);
    }
}
