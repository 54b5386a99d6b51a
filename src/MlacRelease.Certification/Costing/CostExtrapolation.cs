using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Search;

namespace MlacRelease.Certification.Costing;

/// <summary>
/// A battery's cost from a <see cref="CostSample"/> taken at one thread. Measured CPU seconds per token pass differ
/// between evaluation and training (no backward pass, no optimiser) and between families (LoRA skips the frozen
/// weights' gradients), so both are measured:
/// <list type="bullet">
/// <item>the evaluation rate from the timed pass over the test split;</item>
/// <item>each family's training rate from its sampled runs, after their evaluation (counted from what each run did)
/// is taken out at that rate;</item>
/// <item>the probe as a feature pass over attacker-train, tune and test at the evaluation rate plus its measured fits;</item>
/// <item>retention as measured.</item>
/// </list>
/// Every planned unit is then priced run by run (<see cref="RunPasses.Expected"/>): its first rung with the exact
/// sampled configurations, later rungs and seed reruns with their mean, since which configurations survive depends on
/// results. The estimate assumes that a run's CPU time is linear in its passes within a family; what a run pays once
/// regardless of its length (copying the encoder, building adapters) is spread over the short sampled runs' passes, so
/// it errs high.
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
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workersPerNode, 1);
        var evaluationRate = sample.Evaluation.CpuSeconds / sample.Evaluation.TokenPasses;
        // FeatureCache computes the probe's features over attacker-train, tune and test once per process and target. A
        // sampled probe run is a search run, which never asks for the test split's features.
        var probeFeatures = evaluationRate * (shape.AttackerTrain + shape.Tune + shape.Test) * shape.MeanTokens;
        var sampledFeatures = evaluationRate * (shape.AttackerTrain + shape.Tune) * shape.MeanTokens;
        var families = sample.Runs.GroupBy(r => r.Family)
            .ToDictionary(g => g.Key, g => FamilyRate(g.ToList(), evaluationRate, sampledFeatures), StringComparer.Ordinal);

        var seconds = units.Select(u => UnitSeconds(u, battery, shape, families, evaluationRate, probeFeatures, sample.Retention.CpuSeconds)).ToList();
        var rows = units.Select((u, i) => (Unit: u, Seconds: seconds[i]))
            .GroupBy(p => (Family: CertificationPlanner.FamilyName(p.Unit), p.Unit.Target))
            .Select(g => new CostEstimateRow(g.Key.Family, g.Key.Target, g.Count(), g.Sum(p => p.Unit.Runs), g.Sum(p => p.Seconds),
                families.TryGetValue(g.Key.Family, out var rate) ? rate : null))
            .OrderBy(r => r.Target).ThenBy(r => r.Family, StringComparer.Ordinal)
            .ToList();
        var modelOnly = units.Select((u, i) => (u, i)).Where(p => p.u.Target == TargetRole.Model).Sum(p => seconds[p.i]);
        return new CostEstimate(sample.Battery, evaluationRate, probeFeatures, rows, seconds.Sum(), modelOnly,
            Slurm(units, seconds, nodes, workersPerNode, _ => true),
            Slurm(units, seconds, nodes, workersPerNode, u => u.Target == TargetRole.Model),
            seconds.Count == 0 ? 0 : seconds.Max());
    }

    /// <summary>
    /// Wall seconds of an array of <paramref name="nodes"/> shards cut as <c>mlac certify --shard i/N</c> cuts them (all
    /// units, by the planner's cost model), each shard running the units <paramref name="runs"/> keeps (a cached
    /// reference unit is skipped, not re-cut) largest first on <paramref name="workersPerNode"/> one-thread workers.
    /// </summary>
    public static SlurmEstimate Slurm(IReadOnlyList<WorkUnit> units, IReadOnlyList<double> seconds, int nodes, int workersPerNode, Func<WorkUnit, bool> runs)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(runs);
        var index = units.Select((u, i) => (u, i)).ToDictionary(p => p.u.Id, p => seconds[p.i], StringComparer.Ordinal);
        var walls = ShardAssignment.Assign(units, nodes)
            .Select(shard => Makespan(ShardAssignment.LargestFirst(shard).Where(p => runs(p.Unit)).Select(p => index[p.Unit.Id]), workersPerNode))
            .ToList();
        return new SlurmEstimate(nodes, workersPerNode, walls.Max(), walls.Average());
    }

    /// <summary>Each job in order to the worker that frees first (how the work loop hands out units): the last finish.</summary>
    public static double Makespan(IEnumerable<double> jobs, int workers)
    {
        var loads = new double[workers];
        foreach (var job in jobs) loads[Array.IndexOf(loads, loads.Min())] += job;
        return loads.Max();
    }

    private static FamilyRate FamilyRate(IReadOnlyList<SampledRun> runs, double evaluationRate, double sampledFeatures)
    {
        var cpu = runs.Sum(r => r.CpuSeconds);
        var training = runs.Sum(r => r.TrainingPasses);
        if (training <= 0)
        {
            // The probe: its first sampled run computed the features; every run fits a regression on them.
            var fits = cpu - sampledFeatures;
            return new FamilyRate(runs.Count, cpu / runs.Count, 0, Math.Max(0, fits) / runs.Count, fits < 0);
        }
        var trainingSeconds = cpu - evaluationRate * runs.Sum(r => r.EvaluationPasses);
        return new FamilyRate(runs.Count, cpu / runs.Count, Math.Max(0, trainingSeconds) / training, 0, trainingSeconds < 0);
    }

    private static double UnitSeconds(WorkUnit unit, Battery battery, DataShape shape, IReadOnlyDictionary<string, FamilyRate> families,
        double evaluationRate, double probeFeatures, double retentionSeconds)
    {
        if (unit.Kind == UnitKind.Retention) return retentionSeconds;
        var family = CertificationPlanner.FamilyName(unit);
        if (!families.TryGetValue(family, out var rate))
            throw new ArgumentException($"the cost sample has no run of family '{family}' (unit {unit.Id})");
        var attack = unit.Attack!;
        // Charged per probe unit: parallel workers and shards each compute the features for the units they hold.
        if (!attack.IsBudgeted) return probeFeatures + unit.Runs * rate.ProbeSecondsPerFit;

        var n = unit.DataSize!.Resolve(shape.AttackerTrain);
        var configs = Enumerable.Range(0, battery.Search.Trials).Select(i => UnitExecutor.TrialConfig(battery, attack, unit.DataSize, i)).ToList();
        double Seconds(Attacks.AttackConfig config, int steps, RunKind kind)
        {
            var passes = RunPasses.Expected(config, n, steps, battery.Evaluation.Every, shape, kind);
            return passes.Training * rate.TrainingSecondsPerPass + passes.Evaluation * evaluationRate;
        }
        double Mean(Func<Attacks.AttackConfig, double> cost) => configs.Average(cost);

        // A first-rung trial whose benign phase an earlier trial already trained (the same settings: the unit shares
        // one search seed) restores it as a later rung does.
        var trained = new HashSet<Attacks.BenignPhase>();
        RunKind FirstRung(Attacks.AttackConfig c) => c.Benign is null || trained.Add(c.Benign) ? RunKind.FirstRungSearch : RunKind.LaterRungSearch;
        var total = 0.0;
        foreach (var rung in SuccessiveHalving.Plan(battery.Search, budgeted: true))
        {
            total += rung.Index == 0
                ? configs.Sum(c => Seconds(c, SuccessiveHalving.StepsAt(rung, c.Training!.Steps), FirstRung(c)))
                : rung.Configurations * Mean(c => Seconds(c, SuccessiveHalving.StepsAt(rung, c.Training!.Steps), RunKind.LaterRungSearch));
        }
        return total + battery.Seeds.Count * Mean(c => Seconds(c, c.Training!.Steps, RunKind.SeedRerun));
    }
}

/// <param name="TrainingSecondsPerPass">CPU seconds per training token pass (0 for the probe).</param>
/// <param name="ProbeSecondsPerFit">The probe's CPU seconds per run once its features exist (0 for trained families).</param>
/// <param name="EvaluationExceededSample">The modelled evaluation (or feature pass) took more than the sampled runs'
/// whole CPU time, so the rate was clamped at 0: the sample is too small or too short to say.</param>
public sealed record FamilyRate(int SampledRuns, double MeanSampledSeconds, double TrainingSecondsPerPass, double ProbeSecondsPerFit,
    bool EvaluationExceededSample);

/// <param name="CpuSeconds">At one thread per worker.</param>
public sealed record CostEstimateRow(string Family, TargetRole Target, int Units, int Runs, double CpuSeconds, FamilyRate? Rate);

/// <param name="ProbeFeatureSeconds">One feature pass of the probe (attacker-train, tune and test) at the evaluation rate.</param>
/// <param name="AllTargetsCpuSeconds">Model, pretrained and random-init arms: a certification with an empty baseline cache.</param>
/// <param name="ModelOnlyCpuSeconds">The model arm alone: each further model certified with cached baselines.</param>
/// <param name="LongestUnitSeconds">No schedule finishes before its longest unit.</param>
public sealed record CostEstimate(string Battery, double EvaluationSecondsPerPass, double ProbeFeatureSeconds, IReadOnlyList<CostEstimateRow> Rows,
    double AllTargetsCpuSeconds, double ModelOnlyCpuSeconds, SlurmEstimate SlurmAllTargets, SlurmEstimate SlurmModelOnly, double LongestUnitSeconds);

/// <param name="WallSeconds">The slowest shard's wall time, one thread per worker.</param>
public sealed record SlurmEstimate(int Nodes, int WorkersPerNode, double WallSeconds, double MeanShardWallSeconds);
