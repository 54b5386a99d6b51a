using System.Diagnostics;

namespace MlacRelease.Certification.Execution;

/// <summary>Counts runs from all workers and turns them into progress events with an ETA from the cost model.</summary>
internal sealed class ProgressTracker(IReadOnlyList<WorkUnit> units, IProgress<CertificationProgress>? progress)
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly int _totalRuns = units.Sum(u => u.Runs);
    private readonly double _totalCost = units.Sum(u => u.Cost);
    private int _completed, _resumed, _completedUnits;
    private double _computedCost, _resumedCost;

    public int Computed => _completed - _resumed;

    public int Resumed => _resumed;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Run(RunEvent e)
    {
        CertificationProgress report;
        lock (_gate)
        {
            _completed++;
            var share = e.Unit.Cost / e.Unit.Runs;
            if (e.Resumed)
            {
                _resumed++;
                _resumedCost += share;
            }
            else
            {
                _computedCost += share;
            }
            // Time per unit of cost so far, applied to what is left; resumed work cost no time and is excluded.
            var remaining = _totalCost - _computedCost - _resumedCost;
            TimeSpan? eta = _computedCost > 0 ? TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / _computedCost * Math.Max(0, remaining)) : null;
            report = new CertificationProgress(_completed, _totalRuns, _resumed, _completedUnits, units.Count, $"{e.Unit.Id}: {e.Run}", _clock.Elapsed, eta);
        }
        progress?.Report(report);
    }

    public void UnitDone()
    {
        lock (_gate) _completedUnits++;
    }
}
