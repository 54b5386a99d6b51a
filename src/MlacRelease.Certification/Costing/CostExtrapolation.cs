using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;

namespace MlacRelease.Certification.Costing;

/// <summary>
/// A battery's cost from a <see cref="CostSample"/>. The cost model prices a run in token passes, evaluation and
/// training alike; measured CPU seconds per pass differ between the two (no backward pass, no optimiser) and between
/// families (LoRA skips the frozen weights' gradients), so both are measured:
/// <list type="bullet">
/// <item>the evaluation rate from the timed pass over the test split;</item>
/// <item>each family's training rate from its sampled runs, after their modelled evaluation is taken out at that rate;</item>
/// <item>the probe as its first run (which computes the target's features once) plus its later runs' mean per run;</item>
/// <item>retention as measured.</item>
/// </list>
/// Every planned unit is then priced as the cost model's training and evaluation passes at those rates, so the
/// estimate assumes only that a run's CPU time is linear in its passes within a family.
/// </summary>
public static class CostExtrapolation
{
    /// <summary>A Slurm array of this many nodes is priced by default (the campaign).</summary>
    public const int DefaultNodes = 16;

    /// <summary>Workers per node (one thread each) by default: a 16-core node.</summary>
    public const int DefaultWorkersPerNode = 16;

    public static CostEstimate Estimate(CostSample sample, Battery battery, IReadOnlyList<WorkUnit> units, DataShape shape,
        int nodes = DefaultNodes, int workersPerNode = DefaultWorkersPerNode)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(battery);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workersPerNode, 1);
        var evaluationRate = sample.Evaluation.CpuSeconds / sample.Evaluation.TokenPasses;
        var families = sample.Runs.GroupBy(r => r.Family).ToDictionary(g => g.Key, g => FamilyRate(g.ToList(), evaluationRate), StringComparer.Ordinal);

        var seconds = units.Select(u => UnitSeconds(u, battery, shape, families, evaluationRate, sample.Retention.CpuSeconds)).ToList();
        // The probe's features are computed once per target, not per unit: charge them to the target's first probe unit.
        var firstProbe = new HashSet<int>(units.Select((u, i) => (u, i)).Where(p => p.u.Attack is { IsBudgeted: false })
            .GroupBy(p => p.u.Target).Select(g => g.First().i));
        for (var i = 0; i < units.Count; i++)
            if (firstProbe.Contains(i) && families.TryGetValue(CertificationPlanner.FamilyName(units[i]), out var probe))
                seconds[i] += probe.OncePerTarget;

        var rows = units.Select((u, i) => (Unit: u, Seconds: seconds[i]))
            .GroupBy(p => (Family: CertificationPlanner.FamilyName(p.Unit), p.Unit.Target))
            .Select(g => new CostEstimateRow(g.Key.Family, g.Key.Target, g.Count(), g.Sum(p => p.Unit.Runs), g.Sum(p => p.Seconds),
                families.TryGetValue(g.Key.Family, out var rate) ? rate : null))
            .OrderBy(r => r.Target).ThenBy(r => r.Family, StringComparer.Ordinal)
            .ToList();
        var modelOnly = units.Select((u, i) => (u, i)).Where(p => p.u.Target == TargetRole.Model).ToList();
        return new CostEstimate(sample.Battery, evaluationRate, rows,
            seconds.Sum(), modelOnly.Sum(p => seconds[p.i]),
            Slurm(units, seconds, nodes, workersPerNode),
            Slurm(modelOnly.Select(p => p.u).ToList(), modelOnly.Select(p => seconds[p.i]).ToList(), nodes, workersPerNode),
            seconds.Max());
    }

    /// <summary>
    /// Wall seconds of an array of <paramref name="nodes"/> shards as <c>mlac certify --shard i/N</c> cuts them (by the
    /// cost model), each shard's units taken largest first by <paramref name="workersPerNode"/> workers on one node.
    /// </summary>
    public static SlurmEstimate Slurm(IReadOnlyList<WorkUnit> units, IReadOnlyList<double> seconds, int nodes, int workersPerNode)
    {
        ArgumentNullException.ThrowIfNull(units);
        var index = units.Select((u, i) => (u, i)).ToDictionary(p => p.u.Id, p => seconds[p.i], StringComparer.Ordinal);
        var shards = ShardAssignment.Assign(units, nodes);
        var walls = shards.Select(shard => Makespan(ShardAssignment.LargestFirst(shard).Select(p => index[p.Unit.Id]), workersPerNode)).ToList();
        return new SlurmEstimate(nodes, workersPerNode, walls.Count == 0 ? 0 : walls.Max(), walls.Sum() == 0 ? 0 : walls.Average());
    }

    /// <summary>Each job in order to the worker that frees first (how the work loop hands out units): the last finish.</summary>
    public static double Makespan(IEnumerable<double> jobs, int workers)
    {
        var loads = new double[workers];
        foreach (var job in jobs) loads[Array.IndexOf(loads, loads.Min())] += job;
        return loads.Max();
    }

    private static FamilyRate FamilyRate(IReadOnlyList<SampledRun> runs, double evaluationRate)
    {
        var cpu = runs.Sum(r => r.CpuSeconds);
        var training = runs.Sum(r => r.TrainingPasses);
        if (training <= 0)
        {
            // The probe: no training passes. Its first run computes the target's features; later runs fit on them.
            var later = runs.Skip(1).Select(r => r.CpuSeconds).DefaultIfEmpty(runs[0].CpuSeconds).Average();
            return new FamilyRate(runs.Count, cpu / runs.Count, 0, Math.Max(0, runs[0].CpuSeconds - later), later);
        }
        var trainingSeconds = Math.Max(0, cpu - evaluationRate * runs.Sum(r => r.EvaluationPasses));
        return new FamilyRate(runs.Count, cpu / runs.Count, trainingSeconds / training, 0, 0);
    }

    private static double UnitSeconds(WorkUnit unit, Battery battery, DataShape shape, IReadOnlyDictionary<string, FamilyRate> families,
        double evaluationRate, double retentionSeconds)
    {
        if (unit.Kind == UnitKind.Retention) return retentionSeconds;
        var family = CertificationPlanner.FamilyName(unit);
        if (!families.TryGetValue(family, out var rate))
            throw new ArgumentException($"the cost sample has no run of family '{family}' (unit {unit.Id})");
        var attack = unit.Attack!;
        if (!attack.IsBudgeted) return unit.Runs * rate.PerLaterRun;
        var (fullRuns, perRun) = UnitPlanner.BudgetedUnitTerms(battery, attack, unit.DataSize!.Resolve(shape.AttackerTrain), shape);
        return fullRuns * ((perRun.Training + perRun.Benign) * rate.TrainingSecondsPerPass + perRun.Evaluation * evaluationRate);
    }
}

/// <param name="TrainingSecondsPerPass">CPU seconds per training token pass (0 for the probe).</param>
/// <param name="OncePerTarget">The probe's feature computation, paid once per target (0 for trained families).</param>
/// <param name="PerLaterRun">The probe's CPU seconds per run once features exist (0 for trained families).</param>
public sealed record FamilyRate(int SampledRuns, double MeanSampledSeconds, double TrainingSecondsPerPass, double OncePerTarget, double PerLaterRun);

public sealed record CostEstimateRow(string Family, TargetRole Target, int Units, int Runs, double CpuSeconds, FamilyRate? Rate);

/// <param name="AllTargetsCpuSeconds">Model, pretrained and random-init arms: a certification with an empty baseline cache.</param>
/// <param name="ModelOnlyCpuSeconds">The model arm alone: each further model certified with cached baselines.</param>
/// <param name="LongestUnitSeconds">No schedule finishes before its longest unit.</param>
public sealed record CostEstimate(string Battery, double EvaluationSecondsPerPass, IReadOnlyList<CostEstimateRow> Rows,
    double AllTargetsCpuSeconds, double ModelOnlyCpuSeconds, SlurmEstimate SlurmAllTargets, SlurmEstimate SlurmModelOnly, double LongestUnitSeconds);

/// <param name="WallSeconds">The slowest shard's wall time.</param>
public sealed record SlurmEstimate(int Nodes, int WorkersPerNode, double WallSeconds, double MeanShardWallSeconds);
