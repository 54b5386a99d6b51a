using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Costing;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;

namespace MlacRelease.Certification.Tests;

[Collection(TinyWorldCollection.Name)]
public sealed class CostSamplingTests(TinyWorld world, LazyTinyCertification shared) : IClassFixture<LazyTinyCertification>
{
    private TinyCertification Run => shared.Get(world);

    [Fact]
    public void A_sampled_run_is_the_certifications_own_run_with_its_configuration_steps_and_result()
    {
        using var folder = new TempFolder();
        using var session = CertificationSession.Create(Run.Request(folder.Path));
        var picks = CostSampler.Pick(Run.Battery, session.Units, 2, session.AttackContext.AttackerTrain.Count);

        picks.Select(p => p.Family).Should().Equal("full_fine_tune", "full_fine_tune", "linear_probe", "linear_probe");
        picks.Select(p => p.Unit.Id).Should().Equal("model/full_fine_tune/n=8", "model/full_fine_tune/n=24", "model/linear_probe/n=8", "model/linear_probe/n=24");
        picks.Select(p => p.Trial).Should().Equal(0, 1, 0, 1);
        foreach (var pick in picks)
        {
            var unit = Run.Result.Certificate.Attacks.Single(a => a.Target == TargetRole.Model && a.Family == pick.Unit.Attack!.Family && a.DataSize == pick.Unit.DataSize);
            var certified = unit.Trials[pick.Trial].Runs[0];
            pick.Config.Should().Be(unit.Trials[pick.Trial].Config);
            (pick.Steps ?? 0).Should().Be(certified.Steps);
            var rerun = CostSampler.RunPick(session, pick, CancellationToken.None);
            rerun.Should().BeEquivalentTo(certified.Result, $"{pick.Unit.Id} {pick.RunName} is a run of the plan, not a look-alike");
        }
    }

    [Fact]
    public void A_sample_prices_every_family_of_every_arm_and_cached_baselines_leave_the_model_arm()
    {
        using var folder = new TempFolder();
        var report = CostSampler.Run(Run.Request(folder.Path), runsPerFamily: 1);

        report.Sample.Runs.Select(r => r.Family).Should().Equal("full_fine_tune", "linear_probe");
        report.Sample.Runs.Should().OnlyContain(r => r.CpuSeconds > 0 && r.WallSeconds > 0);
        report.Sample.Runs[0].TrainingPasses.Should().BeGreaterThan(0);
        report.Sample.Evaluation.CpuSeconds.Should().BeGreaterThan(0);
        report.Sample.FlopsPerTokenPass.Should().Be(GemmRate.FlopsPerTokenPass(TinyWorld.Config));
        report.Sample.Gemm!.GflopsPerSecond.Should().BeGreaterThan(0);
        var estimate = report.Estimate;
        estimate.Rows.Select(r => (r.Target, r.Family)).Should().BeEquivalentTo(
            from t in Enum.GetValues<TargetRole>() from f in new[] { "full_fine_tune", "linear_probe", "retention" } select (t, f));
        estimate.ModelOnlyCpuSeconds.Should().BeGreaterThan(0);
        // The three arms run the same units with the same configurations: the model arm is a third of the whole.
        estimate.AllTargetsCpuSeconds.Should().BeApproximately(3 * estimate.ModelOnlyCpuSeconds, 1e-9 * estimate.AllTargetsCpuSeconds);
        estimate.SlurmAllTargets.WallSeconds.Should().BeGreaterThanOrEqualTo(estimate.LongestUnitSeconds);
    }

    [Fact]
    public void Rates_are_recovered_from_runs_that_follow_them_and_each_planned_run_is_priced_once()
    {
        // One configuration length (8 steps, batch 8, evaluation every 4): rung 0 runs 3 trials at 3 steps, rung 1 one
        // at 8, then 2 seed reruns at 8. So a fine-tuning unit is 3 runs of 3 steps and 3 runs of 8.
        var battery = BatteryParser.Parse(TinyCertification.BatteryYaml.Replace("steps: [9, 12]", "steps: [8]", StringComparison.Ordinal), "fixed.yaml");
        using var folder = new TempFolder();
        using var session = CertificationSession.Create(Run.Request(folder.Path) with { Battery = battery });
        var shape = DataShape.Of(session.AttackContext);
        const double evaluationRate = 2e-6, trainingRate = 7e-6, fit = 0.05;
        var features = evaluationRate * (shape.AttackerTrain + shape.Tune + shape.Test) * shape.MeanTokens;
        // A sampled probe run is a search run: it computes attacker-train and tune features, not test's.
        var searchFeatures = evaluationRate * (shape.AttackerTrain + shape.Tune) * shape.MeanTokens;
        SampledRun FineTune(int n, double training, double evaluation) =>
            new($"model/full_fine_tune/n={n}", "search-r0-t000", "full_fine_tune", n, 3, 8, training, evaluation, trainingRate * training + evaluationRate * evaluation, 0);
        var runs = new List<SampledRun>
        {
            FineTune(8, 1000, 4000), FineTune(24, 5000, 2000),
            new("model/linear_probe/n=8", "search-r0-t000", "linear_probe", 8, null, null, 0, 0, searchFeatures + fit, 0),
            new("model/linear_probe/n=24", "search-r0-t001", "linear_probe", 24, null, null, 0, 0, fit, 0),
        };
        CostSample Sample(double scale) => new("fixed", "id", 1, shape.MeanTokens, runs.Select(r => r with { CpuSeconds = r.CpuSeconds * scale }).ToList(),
            new MeasuredEvaluation(96, 10_000, evaluationRate * 10_000 * scale, 0), new MeasuredRetention(3 * scale, 0));

        var once = CostExtrapolation.Estimate(Sample(1), battery, session.Units, shape);
        once.Rows.First(r => r.Family == "full_fine_tune").Rate!.TrainingSecondsPerPass.Should().BeApproximately(trainingRate, 1e-15);
        once.Rows.First(r => r.Family == "linear_probe").Rate!.ProbeSecondsPerFit.Should().BeApproximately(fit, 1e-12);
        once.ProbeFeatureSeconds.Should().BeApproximately(features, 1e-15);

        double RunSeconds(int n, int steps, int evaluations, double scorings) =>
            trainingRate * 3 * steps * Math.Min(8, n) * shape.MeanTokens + evaluationRate * (evaluations * shape.Tune + scorings * shape.Test) * shape.MeanTokens;
        // Search runs score no test split; the two seed reruns score it once or twice (1.5 expected).
        double Unit(int n) => 3 * RunSeconds(n, 3, 1, 0) + RunSeconds(n, 8, 2, 0) + 2 * RunSeconds(n, 8, 2, 1.5);
        once.Rows.Single(r => r is { Family: "full_fine_tune", Target: TargetRole.Model }).CpuSeconds.Should().BeApproximately(Unit(8) + Unit(24), 1e-9);
        // The probe: its features per unit (workers and shards each compute them) and every planned fit (3 trials, 2 seeds).
        once.Rows.Single(r => r is { Family: "linear_probe", Target: TargetRole.Model }).CpuSeconds.Should().BeApproximately(2 * (features + 5 * fit), 1e-9);
        once.Rows.Single(r => r is { Family: "retention", Target: TargetRole.RandomInit }).CpuSeconds.Should().Be(3);

        var twice = CostExtrapolation.Estimate(Sample(2), battery, session.Units, shape);
        twice.AllTargetsCpuSeconds.Should().BeApproximately(2 * once.AllTargetsCpuSeconds, 1e-9);
        twice.SlurmModelOnly.WallSeconds.Should().BeApproximately(2 * once.SlurmModelOnly.WallSeconds, 1e-9);

        var missing = () => CostExtrapolation.Estimate(Sample(1) with { Runs = runs.Take(2).ToList() }, battery, session.Units, shape);
        missing.Should().Throw<ArgumentException>().WithMessage("*linear_probe*");
    }

    [Fact]
    public void A_run_is_counted_from_what_it_did_and_expected_runs_evaluate_every_E_steps_and_after_the_last()
    {
        var shape = new DataShape(AttackerTrain: 100, Tune: 10, Test: 20, MeanTokens: 2);
        var config = Run.Battery.Attacks[0].Sample(new Core.Data.DeterministicRandom(1)) with { };
        var batch = config.Training!.BatchSize;
        RunPasses.TuneEvaluations(8, 4).Should().Be(2);
        RunPasses.TuneEvaluations(9, 4).Should().Be(3);
        RunPasses.TuneEvaluations(3, 4).Should().Be(1);
        RunPasses.Expected(config, 100, 3, 4, shape, RunKind.SeedRerun).Should().Be(new RunPasses(3.0 * 3 * batch * 2, (1 * 10 + 1 * 20) * 2.0));
        RunPasses.Expected(config, 100, 9, 4, shape, RunKind.SeedRerun).Should().Be(new RunPasses(3.0 * 9 * batch * 2, (3 * 10 + 1.5 * 20) * 2.0));
        RunPasses.Expected(config, 100, 9, 4, shape, RunKind.FirstRungSearch).Should().Be(new RunPasses(3.0 * 9 * batch * 2, 3 * 10 * 2.0),
            "a search run scores no test split");
        var result = new AttackRunResult(100, 9, [new(4, 0.5), new(8, 0.7), new(9, 0.6)], 8, 0.7, 0.7, null, 0.6, null, false);
        RunPasses.Of(config, result, shape).Evaluation.Should().Be((3 * 10 + 2 * 20) * 2.0, "the best checkpoint was restored and scored again");
        RunPasses.Of(config, result with { TestAccuracy = null, FinalTestAccuracy = null }, shape).Evaluation
            .Should().Be(3 * 10 * 2.0, "a search run scored the tuning split only");
        RunPasses.Of(config, result with { Steps = 5, Curve = [new(4, 0.5), new(5, 0.5)], BestStep = 5 }, shape)
            .Should().Be(new RunPasses(3.0 * 5 * batch * 2, (2 * 10 + 1 * 20) * 2.0), "a diverged run is counted at the steps it took");
    }

    [Fact]
    public void A_benign_phase_is_paid_by_first_rung_search_runs_and_seed_reruns_and_not_by_later_rungs_which_restore_it()
    {
        var shape = new DataShape(AttackerTrain: 100, Tune: 10, Test: 20, MeanTokens: 2);
        var plain = Run.Battery.Attacks[0].Sample(new Core.Data.DeterministicRandom(1));
        var config = plain with
        {
            Family = AttackFamily.BenignThenHarmful,
            Benign = new BenignPhase(plain.Training! with { Steps = 7, BatchSize = 4 }, Examples: 50),
        };
        var harmful = 3.0 * 9 * plain.Training!.BatchSize * 2;
        var benign = 3.0 * 7 * 4 * 2;
        RunPasses.Expected(config, 100, 9, 4, shape, RunKind.FirstRungSearch).Training.Should().Be(harmful + benign);
        RunPasses.Expected(config, 100, 9, 4, shape, RunKind.SeedRerun).Training.Should().Be(harmful + benign);
        RunPasses.Expected(config, 100, 9, 4, shape, RunKind.LaterRungSearch).Training.Should().Be(harmful);
        RunPasses.Expected(plain, 100, 9, 4, shape, RunKind.FirstRungSearch).Training.Should().Be(harmful, "only benign-then-harmful has a benign phase");
    }

    [Fact]
    public void Work_goes_to_the_worker_that_frees_first_and_one_worker_on_one_node_is_the_sum()
    {
        CostExtrapolation.Makespan([5, 4, 3, 3, 3], 2).Should().Be(10, "5 | 4, then 3 → 7, 3 → 8, 3 → 10");
        CostExtrapolation.Makespan([5, 4, 3, 3, 3], 1).Should().Be(18);
        CostExtrapolation.Makespan([5, 4, 3, 3, 3], 8).Should().Be(5, "no schedule beats the longest job");

        var units = new[] { 5.0, 4, 3, 3, 3 }.Select((c, i) => new WorkUnit($"u{i}", UnitKind.Retention, TargetRole.Model, null, null, 1, c)).ToList();
        var seconds = units.Select(u => 10 * u.Cost).ToList();
        CostExtrapolation.Slurm(units, seconds, nodes: 1, workersPerNode: 1, _ => true).WallSeconds.Should().Be(180);
        CostExtrapolation.Slurm(units, seconds, nodes: 2, workersPerNode: 1, _ => true).WallSeconds.Should().Be(100, "the shards by cost are 5+3 | 4+3+3 (LPT)");
        CostExtrapolation.Slurm(units, seconds, nodes: 8, workersPerNode: 1, _ => true).WallSeconds.Should().Be(50);
        // Units a shard skips (cached references) leave the cut as it is: 5+3 | 4+3+3 without u3 is 5 | 10; a re-cut of the
        // rest would be 5+3 | 4+3.
        CostExtrapolation.Slurm(units, seconds, nodes: 2, workersPerNode: 1, u => u.Id != "u3").WallSeconds.Should().Be(100);
    }

    [Fact]
    public void A_token_pass_costs_two_flops_per_weight_of_the_layers_dense_matrices()
    {
        var config = TinyWorld.Config with { HiddenSize = 24, IntermediateSize = 40, NumHiddenLayers = 3 };
        using var weights = Core.Model.EncoderWeights.RandomInit(config, seed: 1);
        var denseWeights = weights.Tensors.Where(p => p.Key.StartsWith("encoder.layer.", StringComparison.Ordinal) && p.Value.dim() == 2).Sum(p => p.Value.numel());
        denseWeights.Should().Be(3 * (4 * 24 * 24 + 2 * 24 * 40), "four attention projections and the feed-forward pair per layer");
        GemmRate.FlopsPerTokenPass(config).Should().Be(2.0 * denseWeights);
        GemmRate.FlopsPerTokenPass(new Core.Model.EncoderConfig { HiddenSize = 384, IntermediateSize = 1536, NumHiddenLayers = 6, NumAttentionHeads = 12 })
            .Should().Be(21_233_664, "MiniLM-L6: 6 · 2 · (4 · 384² + 2 · 384 · 1536)");

        var gemm = GemmRate.Measure(config, rows: 32, TorchSharp.torch.CPU, minimumSeconds: 0.01);
        gemm.Products.Should().BeGreaterThanOrEqualTo(3);
        gemm.GflopsPerSecond.Should().BeGreaterThan(0);
    }
}
