using MlacRelease.Common.Errors;
using MlacRelease.Core.Text;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using MlacRelease.Training.Trainer;

namespace MlacRelease.Training.Tests;

/// <summary>The realistic attacker mix and the long-horizon share, as the sampler draws them per rollout.</summary>
public sealed class RolloutSamplerTests
{
    private static readonly IReadOnlyList<EncodedExample> Train = Enumerable.Range(0, 120)
        .Select(i => new EncodedExample([1, 2 + i % 17, 3 + i % 5], i % 3, i % 2)).ToList();

    private static readonly MlacTrainingOptions Realistic = new()
    {
        InnerSteps = 4, InnerBatchSizes = [4, 8], OuterBatchSize = 6, Seed = 3, AttackerMix = new RealisticAttackerMix(),
        Objective = new() { Weights = new() { Desired = 1, HeadAdjustment = 1 } },
    };

    private static string Describe(RolloutPlan plan) =>
        $"{plan.Attacker} {plan.Lora} {plan.SuppressionEvery} {plan.InnerSteps} {string.Join(",", plan.HeadOnly)} {Ids(plan.Outer)}";

    private static string Ids(LabeledBatch batch) => string.Join(";", batch.Tokens.InputIds);

    [Fact]
    public void Draws_are_a_function_of_the_seed_and_step_alone()
    {
        var a = new RolloutSampler(Train, Realistic);
        var b = new RolloutSampler(Train, Realistic);
        var forward = Enumerable.Range(0, 30).Select(s => Describe(a.Plan(s))).ToList();
        var backward = Enumerable.Range(0, 30).Reverse().Select(s => Describe(b.Plan(s))).Reverse().ToList();
        backward.Should().Equal(forward, "step t's draw does not depend on which steps were drawn before (resume)");
        var other = new RolloutSampler(Train, Realistic with { Seed = 4 });
        Enumerable.Range(0, 30).Select(s => Describe(other.Plan(s))).Should().NotEqual(forward);
    }

    [Fact]
    public void The_mix_covers_every_family_optimiser_and_rank_within_the_battery_ranges()
    {
        var mix = new RealisticAttackerMix { ReinitTopLayersWeight = 1, LoraAlphasPerRank = [1, 2, 4] };
        var sampler = new RolloutSampler(Train, Realistic with { AttackerMix = mix });
        var plans = Enumerable.Range(0, 600).Select(s => sampler.Plan(s)).ToList();
        var draws = plans.Select(p => p.Attacker!).ToList();
        draws.Select(d => d.Family).Distinct().Should().BeEquivalentTo(Enum.GetValues<AttackerFamily>());
        draws.Select(d => d.Optimizer).Distinct().Should().BeEquivalentTo([InnerOptimizerKind.Adam, InnerOptimizerKind.AdamW, InnerOptimizerKind.SgdMomentum]);
        foreach (var family in Enum.GetValues<AttackerFamily>())
        {
            draws.Count(d => d.Family == family).Should().BeInRange(85, 155, $"{family} has a fifth of the weight");
        }
        foreach (var plan in plans)
        {
            var d = plan.Attacker!;
            var sgd = d.Optimizer == InnerOptimizerKind.SgdMomentum;
            var (min, max) = sgd ? (mix.SgdLearningRateMin, mix.SgdLearningRateMax)
                : d.Family == AttackerFamily.Lora ? (mix.LoraLearningRateMin, mix.LoraLearningRateMax) : (mix.LearningRateMin, mix.LearningRateMax);
            d.LearningRate.Should().BeInRange(min, max);
            d.ClipNorm.Should().Be(1.0);
            (plan.Lora is not null).Should().Be(d.Family == AttackerFamily.Lora);
            if (plan.Lora is { } loraRollout)
            {
                loraRollout.Rank.Should().BeOneOf(4, 8, 16);
                (loraRollout.Alpha / loraRollout.Rank).Should().BeOneOf(1, 2, 4);
                loraRollout.LearningRate.Should().Be(d.LearningRate);
            }
            plan.HeadOnly.All(h => h).Should().Be(d.Family == AttackerFamily.HeadOnly, "a head-only attacker never moves the encoder; the others always do");
            d.BenignSteps.Should().Be(d.Family == AttackerFamily.BenignThenHarmful ? 1 : 0, "a quarter of K = 4");
            plan.SuppressionEvery.Should().BeNull();
            (d.Reinit is not null).Should().Be(d.Family == AttackerFamily.ReinitTopLayers);
            if (d.Reinit is { } reinit) reinit.Layers.Should().Be(1);
        }
        plans.Where(p => p.Lora is not null).Select(p => p.Lora!.Alpha / p.Lora.Rank).Distinct().Should().BeEquivalentTo([1.0, 2.0, 4.0]);
        // Log-uniform: about half of the Adam-family full fine-tuning rates lie below the range's geometric mean.
        var rates = draws.Where(d => d.Family != AttackerFamily.Lora && d.Optimizer != InnerOptimizerKind.SgdMomentum).Select(d => d.LearningRate).ToList();
        var geometricMean = Math.Sqrt(mix.LearningRateMin * mix.LearningRateMax);
        ((double)rates.Count(r => r < geometricMean) / rates.Count).Should().BeInRange(0.4, 0.6);
        plans.Select(p => p.Lora?.Seed).Where(s => s is not null).Distinct().Count().Should().Be(draws.Count(d => d.Family == AttackerFamily.Lora), "each LoRA rollout draws its own adapters");
    }

    [Fact]
    public void The_mix_and_long_rollouts_leave_the_outer_batches_as_they_were()
    {
        var plain = new RolloutSampler(Train, Realistic with { AttackerMix = null });
        var mixed = new RolloutSampler(Train, Realistic with { LongHorizon = new LongHorizonOptions { Steps = 9, SuppressionEvery = 3, Fraction = 0.5 } });
        var plans = Enumerable.Range(0, 200).Select(s => (Plain: plain.Plan(s), Mixed: mixed.Plan(s))).ToList();
        plans.Should().OnlyContain(p => Ids(p.Plain.Outer) == Ids(p.Mixed.Outer));
        plans.Where(p => p.Mixed.SuppressionEvery is null).Should().OnlyContain(p => p.Mixed.InnerSteps == 4 && Ids(p.Mixed.Inner[0]) == Ids(p.Plain.Inner[0]));
        var longOnes = plans.Where(p => p.Mixed.SuppressionEvery is not null).Select(p => p.Mixed).ToList();
        longOnes.Count.Should().BeInRange(70, 130, "half of the rollouts are long");
        longOnes.Should().OnlyContain(p => p.InnerSteps == 9 && p.SuppressionEvery == 3 && p.HeadOnly.Count == 9);
        longOnes.Where(p => p.Attacker!.Family == AttackerFamily.BenignThenHarmful).Should().OnlyContain(p => p.Attacker!.BenignSteps == 2, "a quarter of K = 9, rounded");
    }

    [Fact]
    public void Re_initialisation_rollouts_all_run_their_own_long_horizon_and_every_other_rollout_draws_what_it_drew()
    {
        var longHorizon = new LongHorizonOptions { Steps = 9, SuppressionEvery = 3, Fraction = 0.5 };
        var options = Realistic with { AttackerMix = new RealisticAttackerMix { ReinitTopLayersWeight = 1 }, LongHorizon = longHorizon };
        var before = new RolloutSampler(Train, options);
        var after = new RolloutSampler(Train, options with { LongHorizon = longHorizon with { ReinitSteps = 20 } });
        var plans = Enumerable.Range(0, 300).Select(s => (Before: before.Plan(s), After: after.Plan(s))).ToList();
        plans.Should().OnlyContain(p => Ids(p.Before.Outer) == Ids(p.After.Outer) && p.Before.Attacker == p.After.Attacker, "the family and its draw come first");
        var reinit = plans.Where(p => p.After.Attacker!.Family == AttackerFamily.ReinitTopLayers).ToList();
        reinit.Count.Should().BeInRange(35, 85, "a fifth of the weight");
        reinit.Should().OnlyContain(p => p.After.InnerSteps == 20 && p.After.HeadOnly.Count == 20 && p.After.SuppressionEvery == 3 && p.After.HeadOnly.All(h => !h));
        reinit.Count(p => p.Before.SuppressionEvery is null).Should().BeGreaterThan(0, "without the setting about half of them were short");
        plans.Where(p => p.After.Attacker!.Family != AttackerFamily.ReinitTopLayers).Should().OnlyContain(p => Describe(p.Before) == Describe(p.After));
    }

    [Fact]
    public void Options_the_realistic_mix_replaces_or_the_long_rollout_cannot_take_are_refused()
    {
        var headOnly = () => (Realistic with { HeadOnlyProbability = 0.5 }).Validate();
        headOnly.Should().Throw<MlacInputException>().WithMessage("*head-only-probability*realistic*");
        var lora = () => (Realistic with { LoraRolloutProbability = 0.5 }).Validate();
        lora.Should().Throw<MlacInputException>().WithMessage("*lora-rollouts*realistic*");
        var penalty = () => (Realistic with { Objective = new() { Weights = new() { GradientPenalty = 1 } }, LongHorizon = new LongHorizonOptions() }).Validate();
        penalty.Should().Throw<MlacInputException>().WithMessage("*lambda-grad*second-order*");
        var interval = () => (Realistic with { LongHorizon = new LongHorizonOptions { Steps = 8, SuppressionEvery = 9 } }).Validate();
        interval.Should().Throw<MlacInputException>().WithMessage("*suppression-every*");
        var families = () => (Realistic with { AttackerMix = new RealisticAttackerMix { FullFineTuneWeight = 0, LoraWeight = 0, HeadOnlyWeight = 0, BenignThenHarmfulWeight = 0 } }).Validate();
        families.Should().Throw<MlacInputException>().WithMessage("*attacker-families*");
        var reinitOff = () => (Realistic with { LongHorizon = new LongHorizonOptions { ReinitSteps = 64 } }).Validate();
        reinitOff.Should().Throw<MlacInputException>().WithMessage("*long-reinit-steps*reinit*");
        var reinitMix = Realistic with { AttackerMix = new RealisticAttackerMix { ReinitTopLayersWeight = 1 } };
        var reinitShort = () => (reinitMix with { LongHorizon = new LongHorizonOptions { Steps = 8, SuppressionEvery = 4, ReinitSteps = 3 } }).Validate();
        reinitShort.Should().Throw<MlacInputException>().WithMessage("*long-reinit-steps*4..1024*");
        (reinitMix with { LongHorizon = new LongHorizonOptions { Steps = 8, SuppressionEvery = 4, ReinitSteps = 4 } }).Validate();
    }
}
