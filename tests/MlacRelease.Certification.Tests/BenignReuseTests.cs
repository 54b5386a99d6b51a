using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
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
        search: {method: random_successive_halving, trials: 3, eta: 3, rungs: 2}
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

    [Fact]
    public void The_survivor_restores_its_benign_phase_and_a_resume_that_recomputes_it_stores_the_same_unit()
    {
        using var folder = new TempFolder();
        var request = new CertificationRequest
        {
            Model = world.Pretrained,
            Pretrained = world.Pretrained,
            Data = world.Data,
            Battery = BatteryParser.Parse(BatteryYaml, "tiny-benign.yaml"),
            OutputDirectory = folder.File("unused"),
        };
        using var session = CertificationSession.Create(request);
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
}
