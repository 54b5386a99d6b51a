using MlacRelease.Common.Errors;
using MlacRelease.Training.Objective;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// Everything that defines a training run. Defaults follow the paper's reported MLAC configuration
/// (mlac-method.md) except where a CPU budget forces a choice, which is then stated in the preset.
/// </summary>
public sealed record MlacTrainingOptions
{
    /// <summary>The outer objective: loss weights and the simulated attacker's optimiser, clip, learning-rate bounds,
    /// order and embedding layout. Held here rather than copied, so every setting of it reaches training.</summary>
    public MlacObjectiveOptions Objective { get; init; } = new();

    /// <summary>K, the attacker's simulated fine-tuning steps per rollout (paper: 16).</summary>
    public int InnerSteps { get; init; } = 16;

    /// <summary>Optional curriculum: K grows linearly from this value to <see cref="InnerSteps"/> over <see cref="InnerStepsWarmup"/> outer steps.</summary>
    public int? InnerStepsStart { get; init; }

    public int InnerStepsWarmup { get; init; }

    /// <summary>Each rollout draws its attacker batch size once from this set (paper: {12, 24, 48}).</summary>
    public IReadOnlyList<int> InnerBatchSizes { get; init; } = [12, 24, 48];

    /// <summary>Probability that an inner step updates the attacker head only (paper: optional, 0.5).</summary>
    public double HeadOnlyProbability { get; init; }

    /// <summary>Probability that a rollout's attacker fine-tunes LoRA adapters instead of all weights (not in the
    /// paper; 0 reproduces it). LoRA at a learning rate a few times the full fine-tuning one got through a model
    /// trained against full fine-tuning alone, so a release that the battery's LoRA attack must not break trains
    /// against it too.</summary>
    public double LoraRolloutProbability { get; init; }

    /// <summary>The LoRA attacker's rank and α (scale α/r), as the battery's LoRA attack (r 8, α 16).</summary>
    public int LoraRank { get; init; } = 8;
    public double LoraAlpha { get; init; } = 16;

    /// <summary>Each LoRA rollout draws its learning rate log-uniformly from this range (the battery's: 1e-3 to 5e-3).</summary>
    public double LoraLearningRateMin { get; init; } = 1e-3;
    public double LoraLearningRateMax { get; init; } = 5e-3;

    /// <summary>Set: every rollout draws a realistic attacker (family, optimiser, learning rate) from this mix, which
    /// replaces <see cref="MlacObjectiveOptions.InnerOptimizer"/>, the meta-learned α, <see cref="HeadOnlyProbability"/> and the LoRA rollouts
    /// (those two must be 0); null: the fixed attacker.</summary>
    public RealisticAttackerMix? AttackerMix { get; init; }

    /// <summary>Set: first-order long-horizon rollouts (all, or a share of them); null: only short ones.</summary>
    public LongHorizonOptions? LongHorizon { get; init; }

    /// <summary>α at the start; it is meta-learned within the objective's bounds
    /// (<see cref="MlacObjectiveOptions.AttackerLearningRateMin"/>, <see cref="MlacObjectiveOptions.AttackerLearningRateMax"/>).</summary>
    public double AttackerLearningRateInit { get; init; } = 3e-4;

    /// <summary>Adam learning rate of the attacker head and learning rate (paper: 1e-4, clip 10).</summary>
    public double MetaLearningRate { get; init; } = 1e-4;
    public double MetaClipNorm { get; init; } = 10;

    /// <summary>Adam learning rate of the encoder (paper: 1e-5; its reproduction config: 1e-4).</summary>
    public double OuterLearningRate { get; init; } = 1e-4;
    public double OuterClipNorm { get; init; } = 10;
    public int OuterBatchSize { get; init; } = 16;
    public int Steps { get; init; } = 50_000;
    public int EvaluateEvery { get; init; } = 2_500;
    public int CheckpointEvery { get; init; } = 100;
    public int MaxLength { get; init; } = 64;
    public ulong Seed { get; init; }

    /// <summary>The seed the data is split with (defender / attacker / test); null: <see cref="Seed"/>. Set apart from
    /// <see cref="Seed"/>, runs with different training streams share one split, so their test splits (and the baseline
    /// cache's reference arms) are the same and their certificates compare on the same examples.</summary>
    public ulong? SplitSeed { get; init; }

    /// <summary>The seed the data is split with: <see cref="SplitSeed"/>, else <see cref="Seed"/>.</summary>
    public ulong DataSplitSeed() => SplitSeed ?? Seed;

    /// <summary>Examples held out of the defender's split for validation (desired accuracy, quick attacker, selection).</summary>
    public int ValidationExamples { get; init; } = 512;

    /// <summary>Harmful-labelled examples the evaluation's quick attacker (a linear probe on frozen features) trains on.</summary>
    public int QuickAttackerExamples { get; init; } = 200;

    /// <summary>Start the desired head from a linear fit on the pretrained encoder's features (on up to
    /// this many training examples; 0 = random heads as in the reference code). With a CPU budget of hundreds rather
    /// than 50,000 steps, a random desired head would still be learning the task when the run ends.</summary>
    public int HeadInitializationExamples { get; init; } = 2000;

    /// <summary>Keep the encoder every N outer steps (and at the last) as a model folder under candidates/, for
    /// checkpoint selection by real attacks (mlac select); 0 = keep none. Does not change training.</summary>
    public int CandidateEvery { get; init; }

    /// <summary>Stop (with a checkpoint) when this much wall-clock time has passed; null = no limit.</summary>
    public TimeSpan? Budget { get; init; }

    public MlacTrainingOptions Validate()
    {
        Objective.Validate();
        void Require(bool ok, string field, string expected, object actual)
        {
            if (!ok) throw new MlacInputException($"training option '{field}': expected {expected}, got {actual}");
        }
        Require(InnerSteps is >= 0 and <= 1024, "inner-steps", "0..1024", InnerSteps);
        Require(InnerStepsStart is null || (InnerStepsStart >= 0 && InnerStepsStart <= InnerSteps), "inner-steps-start", $"0..{InnerSteps}", InnerStepsStart!);
        Require(InnerStepsWarmup >= 0, "inner-steps-warmup", "≥ 0", InnerStepsWarmup);
        Require(InnerBatchSizes.Count > 0 && InnerBatchSizes.All(b => b > 0), "inner-batch-sizes", "a non-empty set of positive sizes", string.Join(",", InnerBatchSizes));
        Require(HeadOnlyProbability is >= 0 and <= 1, "head-only-probability", "0..1", HeadOnlyProbability);
        Require(LoraRolloutProbability is >= 0 and <= 1, "lora-rollouts", "0..1", LoraRolloutProbability);
        Require(LoraRank is >= 1 and <= 1024, "lora-rank", "1..1024", LoraRank);
        Require(LoraAlpha > 0, "lora-alpha", "> 0", LoraAlpha);
        Require(LoraLearningRateMin > 0 && LoraLearningRateMin <= LoraLearningRateMax && LoraLearningRateMax <= 1,
            "lora-lr", "0 < min ≤ max ≤ 1", $"{LoraLearningRateMin} / {LoraLearningRateMax}");
        if (AttackerMix is { } mix)
        {
            mix.Validate();
            Require(HeadOnlyProbability == 0, "head-only-probability", "0 with --attacker-mix realistic (its head-only family replaces it)", HeadOnlyProbability);
            Require(LoraRolloutProbability == 0, "lora-rollouts", "0 with --attacker-mix realistic (its LoRA family replaces it)", LoraRolloutProbability);
        }
        if (LongHorizon is { } longHorizon)
        {
            Require(longHorizon.Steps is >= 1 and <= 1024, "long-horizon", "1..1024", longHorizon.Steps);
            Require(longHorizon.SuppressionEvery >= 1 && longHorizon.SuppressionEvery <= longHorizon.Steps, "suppression-every", $"1..{longHorizon.Steps}", longHorizon.SuppressionEvery);
            Require(longHorizon.Fraction is > 0 and <= 1, "long-horizon-fraction", "0 < p ≤ 1", longHorizon.Fraction);
            Require(longHorizon.CarriedLoraSteps is >= 0 and <= 1_000_000, "carry-lora", "0..1000000 inner steps", longHorizon.CarriedLoraSteps);
            Require(longHorizon.CarriedLoraShare is > 0 and <= 1, "carry-lora-share", "0 < share ≤ 1", longHorizon.CarriedLoraShare);
            Require(longHorizon.CarriedLoraSteps == 0 || AttackerMix is { LoraWeight: > 0 }, "carry-lora",
                "0 unless the realistic mix draws LoRA attackers (--attacker-families with lora)", longHorizon.CarriedLoraSteps);
            Require(longHorizon.ReinitSteps == 0 || (longHorizon.ReinitSteps is >= 1 and <= 1024 && longHorizon.SuppressionEvery <= longHorizon.ReinitSteps),
                "long-reinit-steps", $"0 (off) or {longHorizon.SuppressionEvery}..1024 (at least --suppression-every)", longHorizon.ReinitSteps);
            Require(longHorizon.ReinitSteps == 0 || AttackerMix is { ReinitTopLayersWeight: > 0 }, "long-reinit-steps",
                "0 unless the realistic mix draws re-initialisation attackers (--attacker-families with reinit)", longHorizon.ReinitSteps);
            Require(Objective.Weights.GradientPenalty == 0, "lambda-grad", "0 with --long-horizon (the gradient penalty needs second-order gradients; --preset head-adjustment has none)", Objective.Weights.GradientPenalty);
        }
        var (min, max) = (Objective.AttackerLearningRateMin, Objective.AttackerLearningRateMax);
        Require(min > 0 && min <= AttackerLearningRateInit && AttackerLearningRateInit <= max,
            "attacker-lr", "min ≤ init ≤ max, all > 0", $"{min} / {AttackerLearningRateInit} / {max}");
        Require(MetaLearningRate > 0 && OuterLearningRate > 0, "learning rates", "> 0", $"{MetaLearningRate}, {OuterLearningRate}");
        Require(OuterBatchSize > 0, "batch-size", "> 0", OuterBatchSize);
        Require(Steps > 0, "steps", "> 0", Steps);
        Require(EvaluateEvery > 0 && CheckpointEvery > 0, "eval-every / checkpoint-every", "> 0", $"{EvaluateEvery}, {CheckpointEvery}");
        Require(CandidateEvery >= 0, "select-every", "≥ 0", CandidateEvery);
        Require(MaxLength is >= 8 and <= 512, "max-length", "8..512", MaxLength);
        Require(ValidationExamples >= 16, "validation-examples", "≥ 16", ValidationExamples);
        Require(HeadInitializationExamples >= 0, "head-init-examples", "≥ 0", HeadInitializationExamples);
        Require(QuickAttackerExamples >= 10, "quick-attacker-examples", "≥ 10", QuickAttackerExamples);
        return this;
    }

    /// <summary>K at a given outer step, following the optional curriculum.</summary>
    public int InnerStepsAt(long step)
    {
        if (InnerStepsStart is not int start || InnerStepsWarmup == 0) return InnerSteps;
        var progress = Math.Min(1.0, (double)step / InnerStepsWarmup);
        return start + (int)Math.Floor(progress * (InnerSteps - start));
    }
}
