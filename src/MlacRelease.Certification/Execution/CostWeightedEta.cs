namespace MlacRelease.Certification.Execution;

/// <summary>
/// Time left, read as the planned cost of what is left over the planned cost of what this process has finished so far.
/// </summary>
/// <remarks>Why not runs: a battery's runs differ in cost by orders of magnitude (a 500-step LoRA run against a linear
/// probe's), and workers take units largest first, so a run-count ETA overstates the time left by most of the battery
/// early on. Inside a unit every run counts as an equal share of its cost: search rungs are shorter than full runs, so
/// that share errs by at most the unit's own cost, a large share of the battery only while a large unit runs.</remarks>
internal static class CostWeightedEta
{
    /// <summary>The planned cost that <paramref name="finishedRuns"/> of <paramref name="unit"/>'s runs stand for.</summary>
    public static double Done(WorkUnit unit, int finishedRuns) =>
        unit.Runs <= 0 ? 0 : unit.Cost * Math.Clamp((double)finishedRuns / unit.Runs, 0, 1);

    /// <param name="totalCost">Planned cost of every unit being tracked.</param>
    /// <param name="doneAtStart">Planned cost already on disk when timing began (resumed work; not part of the speed).</param>
    /// <param name="doneNow">Planned cost on disk now.</param>
    /// <param name="elapsed">Time since timing began.</param>
    /// <returns>Null until some planned cost has been computed since the start, and when the costs give no finite time
    /// (a progress report must never throw out of a worker).</returns>
    public static TimeSpan? Remaining(double totalCost, double doneAtStart, double doneNow, TimeSpan elapsed)
    {
        var computed = doneNow - doneAtStart;
        if (!(computed > 0) || elapsed <= TimeSpan.Zero) return null;
        var seconds = elapsed.TotalSeconds / computed * Math.Max(0, totalCost - doneNow);
        return double.IsFinite(seconds) && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }
}
