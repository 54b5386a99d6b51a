using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Numerics;

namespace MlacRelease.Certification.Tests;

/// <summary>
/// What a search run skips changes no number it records: it trains and evaluates on the tuning split exactly as a
/// certified run does, and a benign phase restored from <see cref="BenignPhaseCache"/> gives the run that
/// recomputing it gives.
/// </summary>
[Collection(TinyWorldCollection.Name)]
public sealed class SearchRunTests(TinyWorld world)
{
    private static readonly FineTuneSettings Harmful = new(OptimizerKind.Adam, 3e-3, ScheduleKind.Cosine, 0.1, 8, 12, 0, 1.0);

    private static AttackConfig Benign(double learningRate) => new()
    {
        Family = AttackFamily.BenignThenHarmful,
        Training = Harmful,
        Benign = new BenignPhase(new FineTuneSettings(OptimizerKind.AdamW, learningRate, ScheduleKind.LinearWarmup, 0.1, 8, 10, 0, 1.0), 64),
    };

    [Theory]
    [InlineData(AttackFamily.FullFineTune)]
    [InlineData(AttackFamily.LinearProbe)]
    [InlineData(AttackFamily.BenignThenHarmful)]
    public void A_search_run_records_the_certified_runs_tuning_curve_and_no_test_score(AttackFamily family)
    {
        using var context = world.Context();
        var runner = new AttackRunner(context);
        using var target = world.Target(TargetRole.Pretrained, world.Pretrained);
        var config = family switch
        {
            AttackFamily.LinearProbe => new AttackConfig { Family = family, ProbeL2 = 1e-2 },
            AttackFamily.BenignThenHarmful => Benign(1e-3),
            _ => new AttackConfig { Family = family, Training = Harmful },
        };
        var data = AttackerSample.Indices(context.AttackerTrain, 16, seed: 3);

        var certified = runner.Run(target, config, data, seed: 3);
        var search = runner.Search(target, config, data, seed: 3, steps: null, benign: null);

        certified.HasTestScores().Should().BeTrue();
        search.HasTestScores().Should().BeFalse();
        (search.TestAccuracy, search.TestAuroc, search.FinalTestAccuracy, search.FinalTestAuroc).Should().Be((null, null, null, null));
        search.Curve.Should().Equal(certified.Curve);
        search.Should().Be(certified with { Curve = search.Curve, TestAccuracy = null, TestAuroc = null, FinalTestAccuracy = null, FinalTestAuroc = null });
    }

    [Fact]
    public void A_later_rung_restores_its_benign_phase_and_gets_the_run_that_recomputing_it_gives()
    {
        using var context = world.Context();
        var runner = new AttackRunner(context);
        using var target = world.Target(TargetRole.Model, world.Pretrained);
        var data = AttackerSample.Indices(context.AttackerTrain, 16, seed: 5);
        var (kept, other) = (Benign(1e-3), Benign(3e-4));
        using var cache = new BenignPhaseCache();

        // First rung: short runs that compute and store their benign phases.
        runner.Search(target, kept, data, seed: 5, steps: 4, cache);
        runner.Search(target, other, data, seed: 5, steps: 4, cache);
        cache.Count.Should().Be(2);
        cache.Hits.Should().Be(0);
        cache.RetainOnly([kept.Benign!]);
        cache.Count.Should().Be(1, "the other configuration was not promoted");

        // Second rung: longer, from the restored benign phase; the same as computing everything again.
        var restored = runner.Search(target, kept, data, seed: 5, steps: 12, cache);
        cache.Hits.Should().Be(1);
        var recomputed = runner.Search(target, kept, data, seed: 5, steps: 12, benign: null);
        restored.Curve.Should().Equal(recomputed.Curve);
        restored.Should().Be(recomputed with { Curve = restored.Curve });

        // The phase is keyed by its seed too: another seed's benign phase is a different computation.
        runner.Search(target, kept, data, seed: 6, steps: 4, cache);
        cache.Hits.Should().Be(1);
        cache.Count.Should().Be(2);
    }

    [Fact]
    public void The_cache_writes_back_the_stored_weights_exactly_and_only_for_its_own_phase_and_seed()
    {
        using var target = world.Target(TargetRole.Model, world.Pretrained);
        var (phase, otherPhase) = (Benign(1e-3).Benign!, Benign(3e-4).Benign!);
        using var cache = new BenignPhaseCache();
        using (var trained = new FineTunedEncoder(target))
        {
            using (TorchSharp.torch.no_grad())
            {
                foreach (var p in trained.Trainable) p.copy_(p.Plus(0.25));
            }
            cache.Store(phase, 7, trained);
        }

        using var fresh = new FineTunedEncoder(target);
        cache.TryRestore(otherPhase, 7, fresh).Should().BeFalse();
        cache.TryRestore(phase, 8, fresh).Should().BeFalse();
        fresh.Tensors.Where(kv => !kv.Value.allclose(target.Tensors[kv.Key], rtol: 0, atol: 0)).Should().BeEmpty("nothing was restored");

        cache.TryRestore(phase, 7, fresh).Should().BeTrue();
        fresh.Tensors.Where(kv => !kv.Value.allclose(target.Tensors[kv.Key].Plus(0.25), rtol: 0, atol: 0)).Should().BeEmpty("every tensor is the stored one");
        cache.Hits.Should().Be(1);
    }

    [Fact]
    public void A_frozen_re_initialisation_trains_only_the_fresh_layers_and_the_pooler()
    {
        using var context = world.Context();
        using var target = world.Target(TargetRole.Pretrained, world.Pretrained);
        using var encoder = new FineTunedEncoder(target);
        var fresh = Core.Attack.LayerReinitializer.Reinitialize(target.Config, encoder.Tensors, 1, seed: 9);
        encoder.TrainOnly([.. fresh]);
        encoder.Trainable.Should().HaveCount(fresh.Count);
        var before = encoder.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        using var head = ClassifierHead.Create(2, target.Config.HiddenSize, target.Config.InitializerRange, 9, context.Device);

        TrainingLoop.Run(target.Config, encoder, head, context.AttackerTrain.Take(32).ToList(), e => e.Harmful, Harmful, 6, 9, context.Device,
            int.MaxValue, null, CancellationToken.None);

        foreach (var (name, tensor) in encoder.Tensors)
        {
            var unchanged = tensor.allclose(before[name], rtol: 0, atol: 0);
            if (fresh.Contains(name)) unchanged.Should().BeFalse($"{name} is re-initialised and trained");
            else unchanged.Should().BeTrue($"{name} lies under the re-initialised layer and is frozen");
        }
    }
}
