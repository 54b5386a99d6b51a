namespace MlacRelease.Certification.Execution;

/// <summary>
/// Cuts the unit list into N deterministic shards of similar cost: longest-processing-time first (units by estimated
/// cost, largest first, each to the currently lightest shard; ties broken by position), a greedy rule that stays
/// within 4/3 of the best possible makespan. Depends only on the unit list, so every shard computes the same cut.
/// </summary>
public static class ShardAssignment
{
    public static IReadOnlyList<WorkUnit> Select(IReadOnlyList<WorkUnit> units, ShardSpec shard) => Assign(units, shard.Count)[shard.Number - 1];

    public static IReadOnlyList<IReadOnlyList<WorkUnit>> Assign(IReadOnlyList<WorkUnit> units, int shards)
    {
        var loads = new double[shards];
        var assigned = Enumerable.Range(0, shards).Select(_ => new List<(int Position, WorkUnit Unit)>()).ToArray();
        foreach (var (unit, position) in LargestFirst(units))
        {
            var lightest = Array.IndexOf(loads, loads.Min());
            loads[lightest] += unit.Cost;
            assigned[lightest].Add((position, unit));
        }
        return assigned.Select(list => (IReadOnlyList<WorkUnit>)list.OrderBy(p => p.Position).Select(p => p.Unit).ToList()).ToList();
    }

    /// <summary>The units largest-cost first (ties in list order): the order workers pick them up in.</summary>
    public static IEnumerable<(WorkUnit Unit, int Position)> LargestFirst(IReadOnlyList<WorkUnit> units) =>
        units.Select((u, i) => (u, i)).OrderByDescending(p => p.u.Cost).ThenBy(p => p.i);
}
