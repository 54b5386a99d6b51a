using MlacRelease.Common.Errors;
using MlacRelease.Core.Numerics;
using MlacRelease.Core.Text;
using TorchSharp;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using MlacRelease.Training.Trainer;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>
/// The carried LoRA attacker (<see cref="AttackerCarry"/>): continuing it over two rollouts is the same attack as one
/// rollout of their combined steps, it is retired at its horizon, its optimiser state survives a save and load, and
/// the sampler makes every LoRA rollout long when carrying is on without changing any other draw.
/// </summary>
public sealed class CarriedAttackerTests
{
    private static readonly MlacObjectiveOptions Options = new() { Weights = new() { Desired = 1, HeadAdjustment = 1, Entropy = 0.5 } };

    private static RolloutPlan LoraPlan(int firstBatch, int steps, double lr, ulong seed, InnerOptimizerKind kind) => new(
        TinySetup.Batch(1, 6),
        Enumerable.Range(0, steps).Select(k => TinySetup.Batch(firstBatch + k, 4)).ToList(),
        Enumerable.Repeat(false, steps).ToList(),
        new LoraRollout(Rank: 2, Alpha: 4, LearningRate: lr, Seed: seed))
    {
        Attacker = new AttackerDraw(AttackerFamily.Lora, kind, lr, BenignSteps: 0, ClipNorm: 5),
        SuppressionEvery = 2, Carries = true,
    };

    private static double MaxDifference(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b) =>
        a.Zip(b, (x, y) => (x - y).abs().max().Value()).Max();

    [Theory]
    [InlineData(InnerOptimizerKind.Adam)]
    [InlineData(InnerOptimizerKind.AdamW)]
    [InlineData(InnerOptimizerKind.SgdMomentum)]
    public void Two_carried_rollouts_are_one_attack_of_their_combined_steps(InnerOptimizerKind kind)
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 21);
        using var carry = new AttackerCarry(horizon: 100);
        var first = carry.Continue(LoraPlan(10, 4, 0.05, 7, kind));
        first.CarriedSteps.Should().Be(0, "nothing is carried yet");
        MlacObjective.Compute(state, first, Options, carry: carry);
        carry.Current!.StepsTaken.Should().Be(4);

        // The second plan draws another attacker; the carried one replaces it, on the second plan's batches.
        var second = carry.Continue(LoraPlan(20, 4, 0.001, 99, InnerOptimizerKind.Sgd));
        second.CarriedSteps.Should().Be(4);
        second.Lora.Should().Be(first.Lora);
        second.Attacker.Should().Be(first.Attacker);
        second.Inner.Should().HaveCount(4);
        MlacObjective.Compute(state, second, Options, carry: carry);
        carry.Current!.StepsTaken.Should().Be(8);

        using var once = new AttackerCarry(horizon: 100);
        var combined = LoraPlan(10, 4, 0.05, 7, kind) with { Inner = first.Inner.Concat(second.Inner).ToList(), HeadOnly = Enumerable.Repeat(false, 8).ToList(), CarriedSteps = 0 };
        MlacObjective.Compute(state, combined, Options, carry: once);
        MaxDifference(carry.Current.Phi, once.Current!.Phi).Should().Be(0, "the same eight steps, in the same order, from the same start");
        var moments = carry.Current.Optimizer.SavedState().ToList();
        var momentsOnce = once.Current.Optimizer.SavedState().ToList();
        moments.Select(m => m.Name).Should().Equal(momentsOnce.Select(m => m.Name)).And.NotBeEmpty();
        MaxDifference(moments.Select(m => m.Tensor).ToList(), momentsOnce.Select(m => m.Tensor).ToList()).Should().Be(0);

        // Not vacuous: a fresh attacker on the second plan's batches alone ends elsewhere.
        using var fresh = new AttackerCarry(horizon: 100);
        MlacObjective.Compute(state, LoraPlan(20, 4, 0.05, 7, kind) with { CarriedSteps = 0 }, Options, carry: fresh);
        MaxDifference(carry.Current.Phi, fresh.Current!.Phi).Should().BeGreaterThan(1e-4);
    }

    [Fact]
    public void The_carried_start_changes_the_outer_gradient()
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 22);
        using var carry = new AttackerCarry(horizon: 100);
        MlacObjective.Compute(state, carry.Continue(LoraPlan(10, 6, 0.08, 3, InnerOptimizerKind.Adam)), Options, carry: carry);
        var parameters = state.OuterParameters.Select(p => p.Tensor).ToList();
        var continued = MlacObjective.Compute(state, carry.Continue(LoraPlan(30, 4, 0.08, 3, InnerOptimizerKind.Adam)), Options, carry: carry);
        var freshTerms = MlacObjective.Compute(state, LoraPlan(30, 4, 0.08, 3, InnerOptimizerKind.Adam), Options);
        var a = autograd.grad([continued.Outer], parameters, retain_graph: true, allow_unused: true);
        var b = autograd.grad([freshTerms.Outer], parameters, allow_unused: true);
        var query = state.OuterParameters.ToList().FindIndex(p => p.Name == "encoder.layer.0.attention.self.query.weight");
        (a[query] - b[query]).abs().max().Value().Should().BeGreaterThan(1e-6, "the suppression terms are taken at the carried attacker's states");
        a.Should().OnlyContain(g => g.IsInvalid || double.IsFinite(g.abs().max().Value()));
    }

    [Fact]
    public void An_attacker_is_retired_at_its_horizon_and_a_fresh_one_starts_from_the_plans_draw()
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 23);
        using var carry = new AttackerCarry(horizon: 4);
        MlacObjective.Compute(state, carry.Continue(LoraPlan(10, 4, 0.05, 7, InnerOptimizerKind.Adam)), Options, carry: carry);
        var next = carry.Continue(LoraPlan(20, 4, 0.02, 8, InnerOptimizerKind.AdamW));
        next.CarriedSteps.Should().Be(0, "4 steps reach the horizon");
        next.Lora!.Seed.Should().Be(8UL);
        carry.Current.Should().BeNull();

        var shortPlan = LoraPlan(20, 4, 0.02, 8, InnerOptimizerKind.AdamW) with { SuppressionEvery = null };
        carry.Continue(shortPlan).Should().BeSameAs(shortPlan, "a short second-order rollout never carries");
        var unmarked = LoraPlan(20, 4, 0.02, 8, InnerOptimizerKind.AdamW) with { Carries = false };
        carry.Continue(unmarked).Should().BeSameAs(unmarked, "a long LoRA rollout the sampler did not choose to carry starts fresh");
        using var off = new AttackerCarry(horizon: 0);
        var plan = LoraPlan(20, 4, 0.02, 8, InnerOptimizerKind.AdamW);
        off.Continue(plan).Should().BeSameAs(plan, "carrying is off");
    }

    [Theory]
    [InlineData(InnerOptimizerKind.Adam, false)]
    [InlineData(InnerOptimizerKind.Adam, true)]
    [InlineData(InnerOptimizerKind.AdamW, false)]
    [InlineData(InnerOptimizerKind.SgdMomentum, false)]
    public void An_optimisers_saved_state_continues_exactly(InnerOptimizerKind kind, bool textbook)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(4, CPU);
        var p = new List<Tensor> { randn([3, 2], ScalarType.Float64, generator: generator), randn([4], ScalarType.Float64, generator: generator) };
        Tensor?[] Gradient() => [randn([3, 2], ScalarType.Float64, generator: generator), randn([4], ScalarType.Float64, generator: generator)];
        var lr = tensor(0.1, ScalarType.Float64);
        var original = InnerOptimizers.Create(kind, textbook);
        p = original.Step(p, Gradient(), lr).ToList();
        p = original.Step(p, [Gradient()[0], null], lr).ToList();   // a head-only style step leaves the second state behind
        var restored = InnerOptimizers.Create(kind, textbook);
        restored.LoadState(original.SavedState().ToDictionary(s => s.Name, s => s.Tensor.clone()));
        var g = Gradient();
        MaxDifference(original.Step(p, g, lr), restored.Step(p, g, lr)).Should().Be(0);
        var blank = InnerOptimizers.Create(kind, textbook);
        MaxDifference(original.Step(p, g, lr), blank.Step(p, g, lr)).Should().BeGreaterThan(1e-6, "the state matters");
    }

    private static readonly IReadOnlyList<EncodedExample> SamplerExamples =
        Enumerable.Range(0, 120).Select(i => new EncodedExample([1, 2 + i % 17, 3 + i % 5], i % 3, i % 2)).ToList();

    /// <summary>A realistic mix with half the rollouts long (K = 8) and nothing carried.</summary>
    private static readonly MlacTrainingOptions SamplerOptions = new()
    {
        InnerSteps = 4, InnerBatchSizes = [4], OuterBatchSize = 6, Seed = 3, AttackerMix = new RealisticAttackerMix(),
        Objective = new() { Weights = new() { Desired = 1, HeadAdjustment = 1 } },
        LongHorizon = new LongHorizonOptions { Steps = 8, SuppressionEvery = 2, Fraction = 0.5 },
    };

    private static MlacTrainingOptions Carrying(int steps, double share) =>
        SamplerOptions with { LongHorizon = SamplerOptions.LongHorizon! with { CarriedLoraSteps = steps, CarriedLoraShare = share } };

    /// <summary>Carrying changes no draw of the mix and no batch.</summary>
    private static void AssertSameDrawAndBatch(RolloutPlan plain, RolloutPlan carrying)
    {
        carrying.Attacker.Should().Be(plain.Attacker, "the same draw");
        carrying.Lora.Should().Be(plain.Lora);
        carrying.Outer.Tokens.InputIds.Should().Equal(plain.Outer.Tokens.InputIds, "the same outer batch");
    }

    [Fact]
    public void Carrying_makes_every_LoRA_rollout_long_and_leaves_the_other_draws_as_they_were()
    {
        var plain = new RolloutSampler(SamplerExamples, SamplerOptions);
        var carrying = new RolloutSampler(SamplerExamples, Carrying(steps: 64, share: 1));
        var promoted = 0;
        for (var step = 0; step < 200; step++)
        {
            var (a, b) = (plain.Plan(step), carrying.Plan(step));
            AssertSameDrawAndBatch(a, b);
            if (a.Attacker!.Family == AttackerFamily.Lora)
            {
                b.SuppressionEvery.Should().Be(2);
                b.InnerSteps.Should().Be(8);
                b.Carries.Should().BeTrue("a share of 1 carries every LoRA rollout");
                if (a.SuppressionEvery is null) promoted++;
            }
            else
            {
                (b.SuppressionEvery, b.InnerSteps).Should().Be((a.SuppressionEvery, a.InnerSteps));
            }
        }
        promoted.Should().BeGreaterThan(5, "short LoRA rollouts became long");
    }

    [Fact]
    public void A_share_carries_some_LoRA_rollouts_and_leaves_the_others_as_the_plain_sampler_drew_them()
    {
        var plain = new RolloutSampler(SamplerExamples, SamplerOptions);
        var partly = new RolloutSampler(SamplerExamples, Carrying(steps: 64, share: 0.5));
        var (carried, fresh, lora) = (0, 0, 0);
        for (var step = 0; step < 300; step++)
        {
            var (a, b) = (plain.Plan(step), partly.Plan(step));
            AssertSameDrawAndBatch(a, b);
            if (a.Attacker!.Family != AttackerFamily.Lora)
            {
                b.Carries.Should().BeFalse();
                (b.SuppressionEvery, b.InnerSteps).Should().Be((a.SuppressionEvery, a.InnerSteps));
                continue;
            }
            lora++;
            if (b.Carries)
            {
                carried++;
                (b.SuppressionEvery, b.InnerSteps).Should().Be((2, 8), "a carried rollout is long");
            }
            else
            {
                fresh++;
                (b.SuppressionEvery, b.InnerSteps).Should().Be((a.SuppressionEvery, a.InnerSteps), "a fresh one is long or short as drawn");
            }
        }
        ((double)carried / lora).Should().BeInRange(0.35, 0.65, $"about half of {lora} LoRA rollouts");
        fresh.Should().BeGreaterThan(10);
    }

    [Fact]
    public void Carrying_needs_LoRA_in_the_realistic_mix()
    {
        var options = new MlacTrainingOptions
        {
            AttackerMix = new RealisticAttackerMix { LoraWeight = 0 }, HeadOnlyProbability = 0, LoraRolloutProbability = 0,
            Objective = new() { Weights = new() { Desired = 1, HeadAdjustment = 1 } },
            LongHorizon = new LongHorizonOptions { CarriedLoraSteps = 64 },
        };
        options.Invoking(o => o.Validate()).Should().Throw<MlacInputException>().WithMessage("*carry-lora*");
        (options with { AttackerMix = new RealisticAttackerMix() }).Validate();
    }
}
