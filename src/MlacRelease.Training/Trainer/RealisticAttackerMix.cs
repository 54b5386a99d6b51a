using System.Text.Json.Serialization;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// The realistic simulated attacker: each rollout draws its family, optimiser and a log-uniform learning rate from the
/// ranges the certification batteries search, instead of one fixed inner optimiser with a meta-learned α. Defaults:
/// the `long` battery's ranges (release-checks/extra-batteries/long.yaml: full fine-tuning 1e-5 to 3e-3, LoRA up to
/// 5e-3 at ranks 4–16 with α = 2r as the batteries' r 8 / α 16), which contain the `quick` battery's (3e-4 to 1e-3;
/// LoRA 1e-3 to 5e-3); SGD with momentum over the standard battery's SGD override capped at its 1e-1, from 1e-3 (below
/// that SGD does not move the encoder in a rollout's few steps); the batteries' gradient clip (1.0).
/// </summary>
public sealed record RealisticAttackerMix
{
    /// <summary>Relative weights of the families; a family of weight 0 is never drawn.</summary>
    public double FullFineTuneWeight { get; init; } = 1;
    public double LoraWeight { get; init; } = 1;
    public double HeadOnlyWeight { get; init; } = 1;
    public double BenignThenHarmfulWeight { get; init; } = 1;

    /// <summary>Top-layer re-initialisation then full fine-tuning; off unless asked for (runs from before it existed
    /// draw exactly what they drew).</summary>
    public double ReinitTopLayersWeight { get; init; }

    /// <summary>A re-initialisation attacker draws how many top layers it replaces uniformly from these (the batteries'
    /// <c>layers</c>).</summary>
    public IReadOnlyList<int> ReinitLayers { get; init; } = [1];

    /// <summary>The families' command-line names, in the order of <see cref="FamilyWeights"/>.</summary>
    public static IReadOnlyList<string> FamilyNames { get; } = ["full", "lora", "head", "benign", "reinit"];

    /// <summary>Each family's weight by its command-line name (derived: not part of a run's fingerprint).</summary>
    [JsonIgnore]
    public IReadOnlyList<(string Name, double Weight)> FamilyWeights =>
        [("full", FullFineTuneWeight), ("lora", LoraWeight), ("head", HeadOnlyWeight), ("benign", BenignThenHarmfulWeight), ("reinit", ReinitTopLayersWeight)];

    /// <summary>A copy with these weights by command-line name; families not named get weight 0.</summary>
    public RealisticAttackerMix WithFamilyWeights(IReadOnlyDictionary<string, double> weights)
    {
        double W(string name) => weights.TryGetValue(name, out var w) ? w : 0;
        if (weights.Keys.FirstOrDefault(n => !FamilyNames.Contains(n)) is { } unknown)
            throw new ArgumentException($"attacker family '{unknown}': expected one of {string.Join(", ", FamilyNames)}");
        return this with
        {
            FullFineTuneWeight = W("full"), LoraWeight = W("lora"), HeadOnlyWeight = W("head"), BenignThenHarmfulWeight = W("benign"),
            ReinitTopLayersWeight = W("reinit"),
        };
    }

    /// <summary>Drawn uniformly per rollout.</summary>
    public IReadOnlyList<InnerOptimizerKind> Optimizers { get; init; } = [InnerOptimizerKind.Adam, InnerOptimizerKind.AdamW, InnerOptimizerKind.SgdMomentum];

    /// <summary>Adam and AdamW, full fine-tuning, head-only, benign-then-harmful and re-initialisation attackers.</summary>
    public double LearningRateMin { get; init; } = 1e-5;
    public double LearningRateMax { get; init; } = 3e-3;

    /// <summary>Adam and AdamW, LoRA attackers.</summary>
    public double LoraLearningRateMin { get; init; } = 1e-4;
    public double LoraLearningRateMax { get; init; } = 5e-3;

    /// <summary>Re-initialisation attackers' own optimisers, drawn uniformly instead of <see cref="Optimizers"/>; null: the
    /// common list (runs from before it existed draw what they drew).</summary>
    /// <remarks>Why: the simulated re-initialisation attackers that relearn the label are the only rollouts whose
    /// meta-erasure term pushes against relearning, and on the 100-step runs of issue 11 (A12–A14) no SGD one and no Adam
    /// one above 7.3e-4 won (0 of 25 among 76 re-initialisation rollouts), so about half of them carried no signal.</remarks>
    public IReadOnlyList<InnerOptimizerKind>? ReinitOptimizers { get; init; }

    /// <summary>Adam and AdamW, re-initialisation attackers, instead of <see cref="LearningRateMin"/>–<see cref="LearningRateMax"/>;
    /// both null (the common range) or both set. An SGD re-initialisation attacker keeps the SGD range.</summary>
    public double? ReinitLearningRateMin { get; init; }
    public double? ReinitLearningRateMax { get; init; }

    /// <summary>SGD with momentum, every family.</summary>
    public double SgdLearningRateMin { get; init; } = 1e-3;
    public double SgdLearningRateMax { get; init; } = 1e-1;

    /// <summary>A LoRA attacker draws its rank uniformly from these, and α = a · rank with a drawn uniformly from
    /// <see cref="LoraAlphasPerRank"/>.</summary>
    public IReadOnlyList<int> LoraRanks { get; init; } = [4, 8, 16];
    /// <summary>α/rank choices. The batteries' α 16 and 32 at ranks 8 and 16 are 1, 2 and 4; LoRA's update scales with
    /// α/rank, so a simulated attacker at 2 alone never moves as far as the battery's α 32 at rank 8. One choice draws
    /// nothing (runs from before the choices existed draw what they drew).</summary>
    public IReadOnlyList<double> LoraAlphasPerRank { get; init; } = [2];

    /// <summary>Every rollout's attacker starts from a fresh random head, as each of the certifier's attacks does, instead
    /// of the meta-learned h₀ that all rollouts share: a single shared starting head is a direction the encoder can learn
    /// to starve of gradient, which no real attacker's random head would be. Off unless asked for (runs from before it
    /// existed draw exactly what they drew).</summary>
    public bool FreshHeads { get; init; }

    /// <summary>The share of a benign-then-harmful rollout's K steps spent on the desired task first (at least one step
    /// of each phase).</summary>
    public double BenignFraction { get; init; } = 0.25;

    /// <summary>The attacker's gradient clip (global norm); the batteries' max_grad_norm.</summary>
    public double ClipNorm { get; init; } = 1.0;

    public RealisticAttackerMix Validate()
    {
        void Require(bool ok, string field, string expected, object actual)
        {
            if (!ok) throw new MlacInputException($"attacker mix '{field}': expected {expected}, got {actual}");
        }
        var familyWeights = new[] { FullFineTuneWeight, LoraWeight, HeadOnlyWeight, BenignThenHarmfulWeight, ReinitTopLayersWeight };
        Require(familyWeights.All(w => double.IsFinite(w) && w >= 0) && familyWeights.Sum() > 0, "attacker-families", "finite weights ≥ 0, not all 0", string.Join(",", familyWeights));
        var optimizerLists = new List<(string Field, IReadOnlyList<InnerOptimizerKind> List)> { ("attacker-optimizers", Optimizers) };
        if (ReinitOptimizers is { } reinitOptimizers) optimizerLists.Add(("attacker-reinit-optimizers", reinitOptimizers));
        foreach (var (field, list) in optimizerLists)
            Require(list.Count > 0 && list.All(Enum.IsDefined), field, "a non-empty list", string.Join(",", list));
        Require(ReinitLearningRateMin is null == ReinitLearningRateMax is null, "attacker-reinit-lr", "both ends or neither", $"{ReinitLearningRateMin} / {ReinitLearningRateMax}");
        var ranges = new List<(string Field, double Min, double Max)>
        {
            ("attacker-lr", LearningRateMin, LearningRateMax), ("attacker-lora-lr", LoraLearningRateMin, LoraLearningRateMax), ("attacker-sgd-lr", SgdLearningRateMin, SgdLearningRateMax),
        };
        if (ReinitLearningRateMin is { } reinitMin && ReinitLearningRateMax is { } reinitMax) ranges.Add(("attacker-reinit-lr", reinitMin, reinitMax));
        foreach (var (field, min, max) in ranges)
            Require(min > 0 && min <= max && max <= 10, field, "0 < min ≤ max ≤ 10", $"{min} / {max}");
        // Set with no re-initialisation attacker to draw they would do nothing, yet make the run's fingerprint another one.
        Require(ReinitTopLayersWeight > 0 || ReinitOptimizers is null && ReinitLearningRateMin is null && ReinitLearningRateMax is null,
            "attacker-reinit-optimizers / attacker-reinit-lr", "unset unless re-initialisation attackers are drawn (reinit in attacker-families)", "reinit weight 0");
        Require(LoraRanks.Count > 0 && LoraRanks.All(r => r is >= 1 and <= 1024), "attacker-lora-ranks", "ranks in 1..1024", string.Join(",", LoraRanks));
        Require(ReinitLayers.Count > 0 && ReinitLayers.All(l => l is >= 1 and <= 256), "attacker-reinit-layers", "layer counts in 1..256", string.Join(",", ReinitLayers));
        Require(LoraAlphasPerRank.Count > 0 && LoraAlphasPerRank.All(a => double.IsFinite(a) && a > 0 && a <= 1024), "attacker-lora-alphas", "α/rank values in (0, 1024]", string.Join(",", LoraAlphasPerRank));
        Require(BenignFraction is > 0 and < 1, "benign fraction", "0 < f < 1", BenignFraction);
        Require(ClipNorm > 0, "attacker-clip", "> 0", ClipNorm);
        return this;
    }

    /// <summary>One rollout's attacker, drawn from <paramref name="random"/> in a fixed order (family, optimiser, learning
    /// rate, then a LoRA draw's rank, α/rank (when there is a choice) and adapter seed, or a re-initialisation draw's layer count and seed, then
    /// the head seed with <see cref="FreshHeads"/>). A rollout of fewer than two steps cannot hold both phases of a
    /// benign-then-harmful attacker, so that family is left out of its draw.</summary>
    public (AttackerDraw Draw, LoraRollout? Lora) Draw(DeterministicRandom random, int innerSteps)
    {
        var weights = new (AttackerFamily Family, double Weight)[]
        {
            (AttackerFamily.FullFineTune, FullFineTuneWeight), (AttackerFamily.Lora, LoraWeight), (AttackerFamily.HeadOnly, HeadOnlyWeight),
            (AttackerFamily.BenignThenHarmful, innerSteps >= 2 ? BenignThenHarmfulWeight : 0),
            (AttackerFamily.ReinitTopLayers, ReinitTopLayersWeight),
        };
        var total = weights.Sum(w => w.Weight);
        if (total <= 0) weights[0].Weight = total = 1;   // only benign-then-harmful was asked for and it does not fit
        var u = random.NextDouble() * total;
        var family = weights.Last(w => w.Weight > 0).Family;
        foreach (var (candidate, weight) in weights)
        {
            if (weight > 0 && u < weight) { family = candidate; break; }
            u -= weight;
        }
        // One draw from whichever list: the other draws keep their place in the sequence.
        var optimizers = family == AttackerFamily.ReinitTopLayers && ReinitOptimizers is { } reinitOptimizers ? reinitOptimizers : Optimizers;
        var optimizer = optimizers[random.NextInt(optimizers.Count)];
        var (min, max) = optimizer is InnerOptimizerKind.Sgd or InnerOptimizerKind.SgdMomentum ? (SgdLearningRateMin, SgdLearningRateMax)
            : family == AttackerFamily.Lora ? (LoraLearningRateMin, LoraLearningRateMax)
            : family == AttackerFamily.ReinitTopLayers && ReinitLearningRateMin is { } reinitMin && ReinitLearningRateMax is { } reinitMax ? (reinitMin, reinitMax)
            : (LearningRateMin, LearningRateMax);
        var learningRate = Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min)));
        LoraRollout? loraRollout = null;
        if (family == AttackerFamily.Lora)
        {
            var rank = LoraRanks[random.NextInt(LoraRanks.Count)];
            var alphaPerRank = LoraAlphasPerRank.Count == 1 ? LoraAlphasPerRank[0] : LoraAlphasPerRank[random.NextInt(LoraAlphasPerRank.Count)];
            loraRollout = new LoraRollout(rank, alphaPerRank * rank, learningRate, random.NextUInt64());
        }
        (int, ulong)? reinit = null;
        if (family == AttackerFamily.ReinitTopLayers) reinit = (ReinitLayers[random.NextInt(ReinitLayers.Count)], random.NextUInt64());
        var benign = family == AttackerFamily.BenignThenHarmful ? Math.Clamp((int)Math.Round(BenignFraction * innerSteps), 1, innerSteps - 1) : 0;
        ulong? headSeed = FreshHeads ? random.NextUInt64() : null;   // drawn last: every other draw stays what it was
        return (new AttackerDraw(family, optimizer, learningRate, benign, ClipNorm) { Reinit = reinit, HeadSeed = headSeed }, loraRollout);
    }
}
