using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Search;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Numerics;

namespace MlacRelease.Certification.Tests;

/// <summary>The executor's use of <see cref="BenignPhaseCache"/> on a real unit: the survivor's benign phase is
/// restored at the second rung, and a resume after the first rung, which has to recompute it, stores the same unit.</summary>
[Collection(TinyWorldCollection.Name)]
public sealed class BenignReuseTests(TinyWorld world)
{
    private const string BatteryYaml = """
        schema: mlac.battery/v1
        name: tiny-benign
        seed: 3
        max_length: 16
        evaluation: {every: 4, tune_examples: 48, test_examples: 96}
        data_sizes: [24]
        seeds: [0]
        search: {method: random_successive_halving, trials: TRIALS, eta: 3, rungs: RUNGS}
        metrics: {accuracy_targets: [0.7, 0.9], blocking_min_gap: 0.05}
        retention:
          train_examples: 64
          probe_l2: 0.01
          fine_tune: {optimizer: adamw, learning_rate: 3.0e-3, schedule: constant, batch_size: 8, steps: 4}
        attacks:
          - family: benign_then_harmful
            optimizers: [adam]
            learning_rate: {min: 1.0e-3, max: 1.0e-2}
            schedules: [cosine]
            batch_sizes: [8]
            steps: [9]
            weight_decay: [0.0]
            max_grad_norm: 1.0
            benign: {examples: 32, optimizers: [adamw], learning_rate: {min: 1.0e-4, max: 1.0e-2}, steps: [6], batch_size: 8}
        """;

    private static CertificationRequest Request(TinyWorld world, string folder, int trials, int rungs) => new()
    {
        Model = world.Pretrained,
        Pretrained = world.Pretrained,
        Data = world.Data,
        Battery = BatteryParser.Parse(BatteryYaml.Replace("TRIALS", $"{trials}", StringComparison.Ordinal).Replace("RUNGS", $"{rungs}", StringComparison.Ordinal), "tiny-benign.yaml"),
        OutputDirectory = folder,
    };

    [Fact]
    public void The_survivor_restores_its_benign_phase_and_a_resume_that_recomputes_it_stores_the_same_unit()
    {
        using var folder = new TempFolder();
        using var session = CertificationSession.Create(Request(world, folder.File("unused"), trials: 3, rungs: 2));
        var unit = session.Units.Single(u => u.Target == TargetRole.Model && u.Kind == UnitKind.Attack);

        var whole = new ResultStore(folder.File("whole"), session.Identity);
        var uninterrupted = new UnitExecutor(session, whole, _ => { });
        var expected = uninterrupted.Execute(unit, CancellationToken.None);
        uninterrupted.RestoredBenignPhases.Should().Be(1, "the one trial promoted to the second rung reruns its benign phase from the first");

        // Crash as the first rung ends: its three runs are on disk, the cache died with the process.
        var store = new ResultStore(folder.File("resumed"), session.Identity);
        var crashing = new UnitExecutor(session, store, e =>
        {
            if (e.Run == "search-r0-t002") throw new OperationCanceledException();
        });
        var crash = () => crashing.Execute(unit, CancellationToken.None);
        crash.Should().Throw<OperationCanceledException>();
        var resumed = new UnitExecutor(session, store, _ => { });
        var again = resumed.Execute(unit, CancellationToken.None);
        resumed.RestoredBenignPhases.Should().Be(0, "the resumed process had no first-rung state and recomputed it");

        CanonicalJson.Serialize(again).Should().Equal(CanonicalJson.Serialize(expected));
        var search = again.Attack!.Trials.SelectMany(t => t.Runs).ToList();
        search.Should().HaveCount(4).And.OnlyContain(r => !r.Result.HasTestScores());
        again.Attack.Runs.Should().ContainSingle().Which.Result.HasTestScores().Should().BeTrue();
    }

    [Fact]
    public void Three_rungs_restore_every_promoted_phase_and_hold_no_more_than_the_next_rung_needs_plus_one()
    {
        using var folder = new TempFolder();
        using var session = CertificationSession.Create(Request(world, folder.File("unused"), trials: 9, rungs: 3));
        var unit = session.Units.Single(u => u.Target == TargetRole.Model && u.Kind == UnitKind.Attack);
        var executor = new UnitExecutor(session, new ResultStore(folder.File("store"), session.Identity), _ => { });
        var stored = executor.Execute(unit, CancellationToken.None);

        stored.Attack!.Trials.Sum(t => t.Runs.Count).Should().Be(9 + 3 + 1);
        executor.RestoredBenignPhases.Should().Be(3 + 1, "every second- and third-rung run restores its phase");
        executor.PeakBenignPhasesHeld.Should().Be(4, "the first rung keeps the 3 it may promote, plus the run in flight; without eviction it would hold 9");
    }

    [Fact]
    public void A_stored_search_run_with_test_scores_is_refused_not_mixed_in()
    {
        using var folder = new TempFolder();
        using var session = CertificationSession.Create(Request(world, folder.File("unused"), trials: 3, rungs: 2));
        var unit = session.Units.Single(u => u.Target == TargetRole.Model && u.Kind == UnitKind.Attack);
        var store = new ResultStore(folder.File("store"), session.Identity);
        var config = UnitExecutor.TrialConfig(session.Battery, unit.Attack!, unit.DataSize!, 0);
        var steps = SuccessiveHalving.StepsAt(SuccessiveHalving.Plan(session.Battery.Search, true)[0], config.Training!.Steps);
        // What attack code before mlac.attacks/2 wrote for this run: test scores on a search run.
        store.SaveRun(unit, "search-r0-t000", config, UnitExecutor.SearchSeed(session.Battery), steps,
            new AttackRunResult(24, steps, [new CurvePoint(steps, 0.5)], steps, 0.5, 0.5, 0.5, 0.5, 0.5, false));

        var act = () => new UnitExecutor(session, store, _ => { }).Execute(unit, CancellationToken.None);
        act.Should().Throw<MlacInputException>().WithMessage("*search-r0-t000*search run with test scores*fresh output folder*");
    }
}
