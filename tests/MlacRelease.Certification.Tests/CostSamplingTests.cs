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
    public void Rates_are_recovered_from_runs_that_follow_them_and_the_estimate_scales_with_the_timings()
    {
        using var folder = new TempFolder();
        using var session = CertificationSession.Create(Run.Request(folder.Path));
        var shape = DataShape.Of(session.AttackContext);
        const double evaluationRate = 2e-6, trainingRate = 7e-6;
        var runs = new[]
        {
            new SampledRun("model/full_fine_tune/n=8", "search-r0-t000", "full_fine_tune", 8, 3, 8, 1000, 4000, 0, 0),
            new SampledRun("model/full_fine_tune/n=24", "search-r0-t001", "full_fine_tune", 24, 9, 8, 5000, 2000, 0, 0),
            new SampledRun("model/linear_probe/n=8", "search-r0-t000", "linear_probe", 8, null, null, 0, 3000, 0.5, 0.5),
            new SampledRun("model/linear_probe/n=24", "search-r0-t001", "linear_probe", 24, null, null, 0, 3000, 0.1, 0.1),
        }.Select(r => r.TrainingPasses > 0 ? r with { CpuSeconds = trainingRate * r.TrainingPasses + evaluationRate * r.EvaluationPasses } : r).ToList();
        CostSample Sample(double scale) => new("tiny", "id", 1, shape.MeanTokens,
            runs.Select(r => r with { CpuSeconds = r.CpuSeconds * scale }).ToList(),
            new MeasuredEvaluation(96, 10_000, evaluationRate * 10_000 * scale, 0), new MeasuredRetention(3 * scale, 0));

        var once = CostExtrapolation.Estimate(Sample(1), Run.Battery, session.Units, shape);
        var fineTune = once.Rows.First(r => r.Family == "full_fine_tune").Rate!;
        fineTune.TrainingSecondsPerPass.Should().BeApproximately(trainingRate, 1e-15);
        var probe = once.Rows.First(r => r.Family == "linear_probe").Rate!;
        probe.OncePerTarget.Should().BeApproximately(0.4, 1e-12, "the first probe run computed the features");
        probe.PerLaterRun.Should().BeApproximately(0.1, 1e-12);
        // Per target, the probe costs its features once and every planned run at the later rate.
        once.Rows.Single(r => r is { Family: "linear_probe", Target: TargetRole.Model }).CpuSeconds.Should().BeApproximately(0.4 + 0.1 * 2 * 5, 1e-9);

        var twice = CostExtrapolation.Estimate(Sample(2), Run.Battery, session.Units, shape);
        twice.AllTargetsCpuSeconds.Should().BeApproximately(2 * once.AllTargetsCpuSeconds, 1e-9);
        twice.SlurmModelOnly.WallSeconds.Should().BeApproximately(2 * once.SlurmModelOnly.WallSeconds, 1e-9);

        var missing = () => CostExtrapolation.Estimate(Sample(1) with { Runs = runs.Take(2).ToList() }, Run.Battery, session.Units, shape);
        missing.Should().Throw<ArgumentException>().WithMessage("*linear_probe*");
    }

    [Fact]
    public void Work_goes_to_the_worker_that_frees_first_and_one_worker_on_one_node_is_the_sum()
    {
        CostExtrapolation.Makespan([5, 4, 3, 3, 3], 2).Should().Be(10, "5 | 4, then 3 → 7, 3 → 8, 3 → 10");
        CostExtrapolation.Makespan([5, 4, 3, 3, 3], 1).Should().Be(18);
        CostExtrapolation.Makespan([5, 4, 3, 3, 3], 8).Should().Be(5, "no schedule beats the longest job");

        var units = new[] { 5.0, 4, 3, 3, 3 }.Select((c, i) => new WorkUnit($"u{i}", UnitKind.Retention, TargetRole.Model, null, null, 1, c)).ToList();
        var seconds = units.Select(u => 10 * u.Cost).ToList();
        CostExtrapolation.Slurm(units, seconds, nodes: 1, workersPerNode: 1).WallSeconds.Should().Be(180);
        CostExtrapolation.Slurm(units, seconds, nodes: 2, workersPerNode: 1).WallSeconds.Should().Be(100, "the shards by cost are 5+3 | 4+3+3 (LPT)");
        CostExtrapolation.Slurm(units, seconds, nodes: 8, workersPerNode: 1).WallSeconds.Should().Be(50);
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
