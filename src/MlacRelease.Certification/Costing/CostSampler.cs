using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Search;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Attack;

namespace MlacRelease.Certification.Costing;

/// <summary>
/// Measures what a battery costs without running it whole. A unit-level slice that holds every family is at least
/// one unit per family, and one `standard` unit is 44 runs of up to 2,000 steps, so no such slice fits a working
/// session; runs are the smallest piece that is still the real thing. For every attack family the sample runs
/// <c>k</c> first-rung search trials of model-arm units, spread over the data sizes, each exactly as the certification
/// runs it (configuration, attacker sample, seed and steps), plus one evaluation pass over the test split and one
/// retention unit. <see cref="CostExtrapolation"/> turns the timings into the battery's cost.
/// </summary>
public static class CostSampler
{
    /// <summary>Runs the sample and prices the whole battery from it (<see cref="CostExtrapolation"/>).</summary>
    public static CostReport Run(CertificationRequest request, int runsPerFamily, IProgress<string>? progress = null,
        CancellationToken cancellation = default, int nodes = CostExtrapolation.DefaultNodes, int workersPerNode = CostExtrapolation.DefaultWorkersPerNode)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (runsPerFamily < 1) throw new MlacInputException($"a cost sample needs at least 1 run per family, got {runsPerFamily}");
        if (request.ThreadsPerWorker != 1)
            throw new ArgumentException($"a cost sample runs at one thread, as each worker of a parallel certification does (threads per worker {request.ThreadsPerWorker})", nameof(request));
        using var threads = new TorchThreads(request.ThreadsPerWorker);
        using var gc = new BlockingGarbageCollection();
        using var session = CertificationSession.Create(request);
        var context = session.AttackContext;
        var shape = DataShape.Of(context);
        var model = session.Target(TargetRole.Model);
        var picks = Pick(session.Battery, session.Units, runsPerFamily, context.AttackerTrain.Count);

        EvaluationScore Evaluate()
        {
            using var encoder = new FineTunedEncoder(model);
            using var head = ClassifierHead.Create(context.HarmfulClasses, model.Config.HiddenSize, model.Config.InitializerRange, 0, context.Device);
            return Scorer.Score(model.Config, encoder.Map(), head, context.Test, context.HarmfulClasses);
        }
        // The first pass pays for libtorch's and the JIT's warm-up, which a certification pays once, not per run.
        Evaluate();
        var (_, evaluationCpu, evaluationWall) = RunClock.Measure(Evaluate);
        progress?.Report($"evaluation pass over {context.Test.Count} test examples: {evaluationCpu:F1} CPU-s");

        var runs = new List<SampledRun>();
        foreach (var (pick, index) in picks.Select((p, i) => (p, i)))
        {
            cancellation.ThrowIfCancellationRequested();
            var (result, cpu, wall) = RunClock.Measure(() => RunPick(session, pick, cancellation));
            // What the run did (its steps, evaluations and test scorings), not what the model expects it to do.
            var passes = pick.Config.Training is null ? new RunPasses(0, 0) : RunPasses.Of(pick.Config, result, shape);
            runs.Add(new SampledRun(pick.Unit.Id, pick.RunName, pick.Family, pick.AttackerExamples, pick.Config.Training is null ? null : result.Steps,
                pick.Config.Training?.BatchSize, passes.Training, passes.Evaluation, cpu, wall));
            progress?.Report($"run {index + 1}/{picks.Count}: {pick.Unit.Id} {pick.RunName}" +
                             (pick.Steps is { } s ? $" ({s} steps, batch {pick.Config.Training!.BatchSize})" : "") + $": {cpu:F1} CPU-s");
        }

        var retention = session.Battery.Retention;
        var (_, retentionCpu, retentionWall) = RunClock.Measure(() => session.Runner.RunRetention(model, retention.ProbeL2, retention.FineTune, retention.TrainExamples,
            UnitExecutor.RetentionSeed(session.Battery), cancellation));
        progress?.Report($"retention unit: {retentionCpu:F1} CPU-s");

        var sample = new CostSample(session.Battery.Name, session.Identity, request.ThreadsPerWorker, shape.MeanTokens, runs,
            new MeasuredEvaluation(context.Test.Count, context.Test.Count * shape.MeanTokens, evaluationCpu, evaluationWall),
            new MeasuredRetention(retentionCpu, retentionWall))
        {
            FlopsPerTokenPass = GemmRate.FlopsPerTokenPass(model.Config),
            // A batch of 16 examples' tokens: the middle of the batteries' batch sizes.
            Gemm = GemmRate.Measure(model.Config, Math.Max(1, (int)Math.Round(16 * shape.MeanTokens)), context.Device),
        };
        return new CostReport(sample, CostExtrapolation.Estimate(sample, session.Battery, session.Units, shape, nodes, workersPerNode));
    }

    /// <summary>
    /// The runs a sample of <paramref name="runsPerFamily"/> per family makes: for each attack, its model-arm units
    /// spread evenly over the data sizes (the first, then evenly up the list), trial k of the k-th (trials wrap), at
    /// the first rung's steps. Depends only on the battery and the plan.
    /// </summary>
    public static IReadOnlyList<CostPick> Pick(Battery battery, IReadOnlyList<WorkUnit> units, int runsPerFamily, int attackerTrain)
    {
        ArgumentNullException.ThrowIfNull(battery);
        ArgumentNullException.ThrowIfNull(units);
        var picks = new List<CostPick>();
        foreach (var attack in battery.Attacks)
        {
            var mine = units.Where(u => u.Target == TargetRole.Model && u.Kind == UnitKind.Attack && ReferenceEquals(u.Attack, attack)).ToList();
            var firstRung = SuccessiveHalving.Plan(battery.Search, attack.IsBudgeted)[0];
            for (var k = 0; k < runsPerFamily; k++)
            {
                var unit = mine[(int)((long)k * mine.Count / runsPerFamily)];
                var trial = k % battery.Search.Trials;
                var config = UnitExecutor.TrialConfig(battery, attack, unit.DataSize!, trial);
                int? steps = attack.IsBudgeted ? SuccessiveHalving.StepsAt(firstRung, config.Training!.Steps) : null;
                picks.Add(new CostPick(unit, trial, config, unit.DataSize!.Resolve(attackerTrain), steps));
            }
        }
        return picks;
    }

    /// <summary>The pick as the certification runs it: the model arm, the search's attacker sample and seed.</summary>
    internal static AttackRunResult RunPick(CertificationSession session, CostPick pick, CancellationToken cancellation)
    {
        var searchSeed = UnitExecutor.SearchSeed(session.Battery);
        var data = AttackerSample.Indices(session.AttackContext.AttackerTrain, pick.AttackerExamples, searchSeed);
        // A first-rung run computes its benign phase whatever the cache holds, so none is passed.
        return session.Runner.Search(session.Target(TargetRole.Model), pick.Config, data, searchSeed, pick.Steps, null, cancellation);
    }
}
