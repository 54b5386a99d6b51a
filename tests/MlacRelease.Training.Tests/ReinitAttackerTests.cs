using MlacRelease.Common.Errors;
using MlacRelease.Core.Numerics;
using MlacRelease.Core.Attack;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using MlacRelease.Training.Trainer;
using MlacRelease.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>
/// The simulated top-layer re-initialisation attacker: it starts from the weights the certifier's attack starts from,
/// the encoder's own terms still read the encoder, and no outer gradient of the attacker's terms reaches the layers it
/// replaced (the defence can only act on the layers the attacker keeps).
/// </summary>
public sealed class ReinitAttackerTests
{
    private static RolloutPlan ReinitPlan(int steps, ulong seed, int? every = null) => TinySetup.Plan(innerSteps: steps) with
    {
        Attacker = new AttackerDraw(AttackerFamily.ReinitTopLayers, InnerOptimizerKind.Adam, 0.05, BenignSteps: 0, ClipNorm: 1) { Reinit = (1, seed) },
        SuppressionEvery = every,
    };

    private static bool Replaced(string name) =>
        name.StartsWith("pooler.", StringComparison.Ordinal) || name.StartsWith($"encoder.layer.{TinySetup.Config.NumHiddenLayers - 1}.", StringComparison.Ordinal);

    [Fact]
    public void The_simulated_attacker_starts_where_the_certifiers_reinitialisation_attack_starts()
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 21);
        var attacker = new SimulatedAttacker(state, ReinitPlan(2, seed: 77), new MlacObjectiveOptions());
        var phi = attacker.Start(state, state.AttackerHead);
        var layout = (FastWeightLayout)attacker.Layout;

        var certified = state.Encoder.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone(), StringComparer.Ordinal);
        var replaced = LayerReinitializer.Reinitialize(state.Encoder.Config, certified, 1, 77);
        replaced.Should().Contain("pooler.dense.weight").And.Contain("encoder.layer.1.attention.self.query.weight")
            .And.NotContain(n => n.StartsWith("encoder.layer.0.", StringComparison.Ordinal));
        for (var i = 0; i < layout.EncoderNames.Count; i++)
        {
            var name = layout.EncoderNames[i];
            (phi[i].detach() - certified[name]).abs().max().Value().Should().Be(0, name);
            var moved = (phi[i].detach() - state.Encoder[name].detach()).abs().max().Value();
            if (Replaced(name) && name.EndsWith("weight", StringComparison.Ordinal) && !name.Contains("LayerNorm", StringComparison.Ordinal))
                moved.Should().BeGreaterThan(0, $"{name} is re-initialised");
            if (!Replaced(name)) moved.Should().Be(0, $"{name} is kept");
        }
        attacker.Start(state, state.AttackerHead)[layout.EncoderNames.ToList().IndexOf("pooler.dense.weight")]
            .Should().BeSameAs(phi[layout.EncoderNames.ToList().IndexOf("pooler.dense.weight")], "every read of φ₀ in a rollout sees the same fresh weights");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public void The_attacker_terms_reach_only_the_layers_the_attacker_keeps(int? every)
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 22);
        var options = new MlacObjectiveOptions { Weights = new MlacLossWeights { Desired = 0, HeadAdjustment = 1, Entropy = 1 } };
        var terms = MlacObjective.Compute(state, ReinitPlan(4, seed: 5, every), options);
        var parameters = state.OuterParameters.Where(p => MlacModelState.IsEncoderParameter(p.Name)).ToList();
        var grads = autograd.grad([terms.Outer], parameters.Select(p => p.Tensor).ToList(), allow_unused: true);
        for (var i = 0; i < parameters.Count; i++)
        {
            var size = grads[i] is { IsInvalid: false } g ? g.abs().max().Value() : 0;
            if (Replaced(parameters[i].Name)) size.Should().Be(0, $"{parameters[i].Name} is replaced before the attacker starts");
        }
        var kept = parameters.FindIndex(p => p.Name == "encoder.layer.0.attention.self.query.weight");
        grads[kept].abs().max().Value().Should().BeGreaterThan(1e-8, "the layers below are what the attacker builds on");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public void The_desired_term_reads_the_encoders_own_weights(int? every)
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 23);
        var options = new MlacObjectiveOptions { Weights = new MlacLossWeights { Desired = 1, HeadAdjustment = 1, Representation = 1 } };
        var full = ReinitPlan(3, seed: 9, every) with { Attacker = new AttackerDraw(AttackerFamily.FullFineTune, InnerOptimizerKind.Adam, 0.05, 0, 1) };
        var reinit = MlacObjective.Compute(state, ReinitPlan(3, seed: 9, every), options);
        var plain = MlacObjective.Compute(state, full, options);
        reinit.Desired.Value().Should().Be(plain.Desired.Value());
        reinit.RepresentationSeparability.Value().Should().Be(plain.RepresentationSeparability.Value());
        reinit.PerStepAttackerCrossEntropy[0].Value().Should().NotBe(plain.PerStepAttackerCrossEntropy[0].Value(),
            "the attacker's first logits read its re-initialised top layer");
    }

    [Fact]
    public void The_mix_draws_reinitialisation_only_when_weighted_with_its_layer_counts_and_full_fine_tuning_rates()
    {
        var only = new RealisticAttackerMix { FullFineTuneWeight = 0, LoraWeight = 0, HeadOnlyWeight = 0, BenignThenHarmfulWeight = 0, ReinitTopLayersWeight = 1, ReinitLayers = [1, 2] }.Validate();
        var random = new DeterministicRandom(4);
        var draws = Enumerable.Range(0, 200).Select(_ => only.Draw(random, 8)).ToList();
        draws.Should().OnlyContain(d => d.Draw.Family == AttackerFamily.ReinitTopLayers && d.Lora == null && d.Draw.Reinit != null);
        draws.Select(d => d.Draw.Reinit!.Value.Layers).Distinct().Order().Should().Equal(1, 2);
        draws.Select(d => d.Draw.Reinit!.Value.Seed).Distinct().Should().HaveCount(200);
        draws.Where(d => d.Draw.Optimizer is InnerOptimizerKind.Adam or InnerOptimizerKind.AdamW)
            .Should().OnlyContain(d => d.Draw.LearningRate >= only.LearningRateMin && d.Draw.LearningRate <= only.LearningRateMax);

        var standard = new RealisticAttackerMix().Validate();
        random = new DeterministicRandom(4);
        Enumerable.Range(0, 200).Select(_ => standard.Draw(random, 8)).Should().OnlyContain(d => d.Draw.Family != AttackerFamily.ReinitTopLayers && d.Draw.Reinit == null);
    }

    [Fact]
    public void Reinitialisation_attackers_draw_their_own_optimisers_and_rates_and_every_other_draw_is_unchanged()
    {
        var common = new RealisticAttackerMix { ReinitTopLayersWeight = 1.5 }.Validate();
        var own = (common with { ReinitOptimizers = [InnerOptimizerKind.Adam, InnerOptimizerKind.AdamW], ReinitLearningRateMin = 3e-5, ReinitLearningRateMax = 7e-4 }).Validate();
        DeterministicRandom a = new(11), b = new(11);
        var pairs = Enumerable.Range(0, 400).Select(_ => (Common: common.Draw(a, 8).Draw, Own: own.Draw(b, 8).Draw)).ToList();

        pairs.Select(p => p.Own.Family).Should().Equal(pairs.Select(p => p.Common.Family), "the family is drawn before the optimiser");
        var reinit = pairs.Where(p => p.Own.Family == AttackerFamily.ReinitTopLayers).ToList();
        reinit.Should().HaveCountGreaterThan(50);
        reinit.Should().OnlyContain(p => p.Own.Optimizer != InnerOptimizerKind.SgdMomentum && p.Own.LearningRate >= 3e-5 && p.Own.LearningRate <= 7e-4);
        reinit.Select(p => p.Own.Reinit).Should().Equal(reinit.Select(p => p.Common.Reinit), "one optimiser draw and one rate draw, as before");
        reinit.Should().Contain(p => p.Common.Optimizer == InnerOptimizerKind.SgdMomentum || p.Common.LearningRate > 7e-4, "without the settings they do draw outside");
        pairs.Where(p => p.Own.Family != AttackerFamily.ReinitTopLayers).Should().OnlyContain(p => p.Own == p.Common);
    }

    [Fact]
    public void A_reinitialisation_range_needs_both_ends_and_a_non_empty_optimiser_list()
    {
        var mix = new RealisticAttackerMix { ReinitTopLayersWeight = 1 };
        ((Action)(() => (mix with { ReinitLearningRateMin = 1e-4 }).Validate())).Should().Throw<MlacInputException>().WithMessage("*attacker-reinit-lr*both*");
        ((Action)(() => (mix with { ReinitLearningRateMin = 1e-3, ReinitLearningRateMax = 1e-4 }).Validate())).Should().Throw<MlacInputException>().WithMessage("*attacker-reinit-lr*");
        ((Action)(() => (mix with { ReinitOptimizers = [] }).Validate())).Should().Throw<MlacInputException>().WithMessage("*attacker-reinit-optimizers*");
        ((Action)(() => (mix with { ReinitTopLayersWeight = 0, ReinitLearningRateMin = 1e-4, ReinitLearningRateMax = 1e-3 }).Validate()))
            .Should().Throw<MlacInputException>().WithMessage("*attacker-reinit*unset unless*");
    }

    [Fact]
    public void A_LoRA_rollout_cannot_be_a_reinitialisation_attacker()
    {
        using var state = TinySetup.State();
        var plan = ReinitPlan(2, seed: 1) with { Lora = new LoraRollout(Rank: 2, Alpha: 4, LearningRate: 0.05, Seed: 7) };
        var act = () => new SimulatedAttacker(state, plan, new MlacObjectiveOptions());
        act.Should().Throw<ArgumentException>().WithMessage("*LoRA*");
    }
}
