using MlacRelease.Common.Errors;
using MlacRelease.Training.Objective;

namespace MlacRelease.Training.Trainer;

/// <summary>Named configurations: the reference code's MLAC and the variants its code explores.</summary>
public static class MlacPresets
{
    public static IReadOnlyList<string> Names { get; } = ["mlac", "head-adjustment", "max-loss", "gradient-penalty", "adversarial-censoring", "realistic-long-horizon", "realistic-reinit", "battery-matched", "realistic-carry", "realistic-fresh-heads", "realistic-partial-carry", "realistic-long-reinit", "realistic-erase", "realistic-meta-erase"];

    public static MlacTrainingOptions Get(string name) => name switch
    {
        // The reference code's bios config (Breakend/SelfDestructingModels, config/experiment/bios.yaml) sets
        // `l_linear_mi: 1.0`, `l_bad_adapted_grad: 1.0` and `l_good_base: 1.0` (config.yaml leaves l_bad_adapted at 0.0):
        // λ_desired = 1, λ_lin = 1, λ_grad = 1, λ_harmful = 0, K = 16.
        "mlac" => new MlacTrainingOptions { Objective = new() { Weights = new MlacLossWeights { Desired = 1, HeadAdjustment = 1, GradientPenalty = 1 } } },
        // Head adjustment without the gradient penalty (scripts/paper_experiments_v1.sh: bios_lin_mi_16, l_bad_adapted_grad=0.0).
        "head-adjustment" => new MlacTrainingOptions { Objective = new() { Weights = new MlacLossWeights { Desired = 1, HeadAdjustment = 1 } } },
        "max-loss" => new MlacTrainingOptions { Objective = new() { Weights = new MlacLossWeights { Desired = 1, Harmful = 1, HeadAdjustment = 0 } } },
        // Kept for existing scripts: the same weights as "mlac" now that "mlac" follows bios.yaml.
        "gradient-penalty" => new MlacTrainingOptions { Objective = new() { Weights = new MlacLossWeights { Desired = 1, GradientPenalty = 1, HeadAdjustment = 1 } } },
        // K = 0 with λ_harmful = 1: plain adversarial censoring, no meta-learning through an attacker's updates.
        "adversarial-censoring" => new MlacTrainingOptions { InnerSteps = 0, Objective = new() { Weights = new MlacLossWeights { Desired = 1, Harmful = 1, HeadAdjustment = 0 } } },
        // The project's best measured recipe (release-checks/examples/realistic-long-horizon/, issue 11 arm A2): head
        // adjustment with the TAR-style entropy and RepNoise-style representation terms, an attacker drawn per rollout
        // like the batteries draw theirs (LoRA weighted twice), half the rollouts first-order K = 32 with the suppression
        // loss every 4th step, the other half second-order K = 4. No gradient penalty: it needs second-order gradients.
        "realistic-long-horizon" => new MlacTrainingOptions
        {
            Objective = new() { Weights = new MlacLossWeights { Desired = 1, HeadAdjustment = 1, Entropy = 1, Representation = 1 } },
            InnerSteps = 4, InnerBatchSizes = [12], OuterBatchSize = 12, MaxLength = 48,
            AttackerMix = new RealisticAttackerMix { FullFineTuneWeight = 1, LoraWeight = 2, HeadOnlyWeight = 0.5, BenignThenHarmfulWeight = 1 },
            LongHorizon = new LongHorizonOptions { Steps = 32, SuppressionEvery = 4, Fraction = 0.5 },
        },
        // realistic-long-horizon with the battery's worst attack on it added to the simulated attacker's mix (issue 11 arm
        // A3): top-layer re-initialisation then full fine-tuning, a quarter of the rollouts. Re-initialisation recovered
        // 87.5 % on A2's model at n = 100 (blocking 0.17): the harmful features sat below the top layer, where no simulated
        // attacker looked.
        "realistic-reinit" => WithReinitAttackers(Get("realistic-long-horizon"), 1.5),
        // realistic-reinit with LoRA's scale matched to the batteries' (issue 11 arm A4): α/rank drawn from 1, 2 and 4 (α 16
        // and 32 at ranks 8 and 16). A3's worst case on `long` was LoRA at α 32, rank 8, lr 3.5e-3: an update twice as
        // large as any its simulated LoRA attackers (α/rank 2) took.
        "battery-matched" => WithLoraAlphasPerRank(Get("realistic-reinit"), [1, 2, 4]),
        // realistic-reinit with each LoRA attacker carried across rollouts for 256 inner steps (issue 11 arm A5), every
        // LoRA rollout long. A3's simulated LoRA attackers all failed within their 32 steps (harmful CE at ln 2 throughout)
        // while the `long` battery's LoRA attack recovered 69 % after hundreds of steps: the outer loop never saw the states
        // that attack reaches.
        "realistic-carry" => WithCarriedLora(Get("realistic-reinit"), 256),
        // realistic-reinit with every rollout's attacker starting from a fresh random head, as the certifier's attacks do,
        // instead of the meta-learned head all rollouts share (issue 11 arm A6). A5's simulated LoRA attackers, all started
        // from that one head, failed for 256 steps while the validation battery's LoRA, from random heads, recovered 99 %
        // in 40. Measured: `quick` 0.36 / 0.98 at n = 20 / 100, but `long` at n = 100 0.07 (re-initialisation 92 %), worse
        // than realistic-reinit's 0.62 (release-checks/examples/realistic-fresh-heads/).
        "realistic-fresh-heads" => Get("realistic-reinit") with { AttackerMix = Get("realistic-reinit").AttackerMix! with { FreshHeads = true } },
        // realistic-reinit with half the LoRA rollouts continuing a carried attacker for up to 128 inner steps and the other
        // half fresh as in realistic-reinit (issue 11 arm A7). A5 (every LoRA rollout carried, 256 steps) blocked the
        // `long` battery's 500-step LoRA attack (0.94) but met only 4 fresh LoRA attackers and opened full fine-tuning
        // (0.11); realistic-reinit met 31 fresh ones and blocked the rest but not that attack (0.62).
        "realistic-partial-carry" => Get("realistic-reinit") with { LongHorizon = Get("realistic-reinit").LongHorizon! with { CarriedLoraSteps = 128, CarriedLoraShare = 0.5 } },
        // realistic-reinit with every re-initialisation rollout long and 96 steps (issue 11 arm A8). On A3 seed 1's released
        // checkpoint the re-initialisation attacks that break it were at chance after 33 steps and at 85–96 % by step 100;
        // realistic-reinit's 32-step rollouts never reached that, so its outer loop saw those attackers fail. Measured: the
        // 96-step attackers did win in training (final harmful CE below 0.45 in 14 of 25 rollouts, 9 of 12 before step 50), yet `long` at n = 100 scored
        // 0.05 at step 100 (re-initialisation 93 %, LoRA 88 %) and re-initialisation at lr 3.8e-4 recovers 85 % as on
        // realistic-reinit (release-checks/examples/realistic-long-reinit/).
        "realistic-long-reinit" => Get("realistic-reinit") with { LongHorizon = Get("realistic-reinit").LongHorizon! with { ReinitSteps = 96 } },
        // realistic-reinit with the linear erasure term at λ_erase 10 (issue 11, arm A9): no simulated attacker reached the
        // harmful label that stays in the layers under the re-initialised one (the per-layer probe reads 93 % at layer 5 of
        // the pretrained encoder), and the MMD term sat on its batch floor. Measured at step 100: re-initialisation at
        // lr 3.8e-4 for 100 steps blocked 0.59 (realistic-reinit 0.28; at training seed 1 0.54 against 0.07), `long` v1 0.93, `quick` 0.28 / 0.99 at n = 20 / 100
        // (release-checks/examples/realistic-erase/). λ_erase 30 (A10) erased more linearly and blocked less (0.34).
        "realistic-erase" => Get("realistic-reinit") with
        {
            Objective = Get("realistic-reinit").Objective with { Weights = Get("realistic-reinit").Objective.Weights with { Erasure = 10 } },
        },
        // realistic-erase with the same erasure term also taken on the simulated attacker's adapted encoder (issue 11, arm
        // A11): on A9 a re-initialisation attacker whose lower layers are frozen stays at chance, while the same attacker
        // fine-tuning them recovers 79 % (release-checks/examples/realistic-erase/, session 15). The label is gone from θ's
        // layers and relearnt into them by the attack, which only a term on the attacker's weights sees. Measured (100 steps,
        // re-initialisation at lr 3.8e-4 for 100 steps): 0.53 at step 100 (A9 on the same machine 0.43), but its 32-step
        // simulated re-initialisation attackers never relearnt the label (0 of 25 won), so the term saw little; with
        // --long-reinit-steps 96 (A12) 9 of 25 won and step 100 blocked 0.61 (release-checks/examples/meta-erase/). A12 for
        // 200 steps (A13, about 110 CPU-minutes) reached 0.66 at steps 150 and 200, and step 200 no longer fine-tunes on
        // the desired task (retention 0.06). Its re-initialisation attackers drawn only where they relearn
        // (--attacker-reinit-optimizers adam,adamw --attacker-reinit-lr 3e-5,7e-4, A15): 16 of 25 won instead of 9, and six
        // attack seeds blocked 0.57 and 0.28 at training seeds 0 and 1 against A12's 0.69 and its rerun's 0.37.
        "realistic-meta-erase" => Get("realistic-erase") with
        {
            Objective = Get("realistic-erase").Objective with { Weights = Get("realistic-erase").Objective.Weights with { MetaErasure = 10 } },
        },
        _ => throw new MlacInputException($"unknown preset '{name}': expected one of {string.Join(", ", Names)}"),
    };

    private static MlacTrainingOptions WithReinitAttackers(MlacTrainingOptions preset, double weight) =>
        preset with { AttackerMix = preset.AttackerMix! with { ReinitTopLayersWeight = weight } };

    private static MlacTrainingOptions WithCarriedLora(MlacTrainingOptions preset, int steps) =>
        preset with { LongHorizon = preset.LongHorizon! with { CarriedLoraSteps = steps } };

    private static MlacTrainingOptions WithLoraAlphasPerRank(MlacTrainingOptions preset, double[] alphasPerRank) =>
        preset with { AttackerMix = preset.AttackerMix! with { LoraAlphasPerRank = alphasPerRank } };

    /// <summary>One line per preset, for <c>mlac train --help</c>.</summary>
    public static string Describe(string name) => name switch
    {
        "mlac" => "the reference code's bios config: head adjustment + inner-gradient-norm penalty (λ_desired 1, λ_lin 1, λ_grad 1)",
        "head-adjustment" => "head adjustment alone (λ_desired 1, λ_lin 1), the paper's bios_lin_mi runs",
        "max-loss" => "maximise the simulated attacker's harmful cross-entropy (λ_desired 1, λ_harmful 1), unbounded",
        "gradient-penalty" => "the same weights as mlac (kept for existing scripts)",
        "adversarial-censoring" => "no inner loop (K = 0), λ_harmful 1: plain adversarial censoring",
        "realistic-long-horizon" => "head adjustment + entropy + representation terms, attacker drawn per rollout, half the rollouts K = 32 first-order",
        "realistic-reinit" => "realistic-long-horizon with top-layer re-initialisation attackers in the mix (a quarter of the rollouts)",
        "battery-matched" => "realistic-reinit with LoRA attackers' α/rank drawn from 1, 2, 4 as the batteries' α 16/32 at ranks 8/16 (measured worse than realistic-reinit: validation worst case 0.04)",
        "realistic-carry" => "realistic-reinit with each LoRA attacker carried across long rollouts for 256 inner steps (--carry-lora 256); measured worse (validation LoRA recovers 99 %)",
        "realistic-partial-carry" => "realistic-reinit with half the LoRA rollouts continuing a carried attacker for up to 128 steps (--carry-lora 128 --carry-lora-share 0.5), the rest fresh; measured worse (`long` 0.37 at step 100, validation 0.02 at step 50)",
        "realistic-fresh-heads" => "realistic-reinit with each rollout's attacker starting from a fresh random head as real attacks do (--attacker-fresh-heads); measured worse on `long` (worst case 0.07)",
        "realistic-erase" => "realistic-reinit with the linear erasure term (--lambda-erase 10): the harmful classes' mean gap in every layer pushed to zero; measured better on 100-step re-initialisation (blocking 0.59 and 0.54 at training seeds 0 and 1, realistic-reinit 0.28 and 0.07), still short of 0.8",
        "realistic-long-reinit" => "realistic-reinit with every re-initialisation rollout long and K = 96 first-order steps (--long-reinit-steps 96), as long as the attacks that break realistic-reinit's models; measured worse (`long` 0.05 at step 100: re-initialisation 93 %, LoRA 88 %)",
        "realistic-meta-erase" => "realistic-erase with the erasure term also on the simulated attacker's adapted encoder after every inner step (--lambda-meta-erase 10): penalises the class-mean gap the attack relearns into the layers; measured 0.53 on 100-step re-initialisation (0.61 with --long-reinit-steps 96), still short of 0.8",
        _ => throw new MlacInputException($"unknown preset '{name}': expected one of {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// The budget <c>mlac train</c> runs when it is not given one. A preset carries the paper's objective and its
    /// 50,000-step schedule; a command-line run defaults to 300 outer steps with K = 4 (K = 0 presets stay at 0),
    /// validation every 50 steps and a resumable checkpoint every 10, which fits a workstation.
    /// </summary>
    public static MlacTrainingOptions WithCommandLineBudget(MlacTrainingOptions preset) => preset with
    {
        Steps = 300, InnerSteps = preset.InnerSteps == 0 ? 0 : 4, EvaluateEvery = 50, CheckpointEvery = 10,
    };

    /// <summary>The outer steps <c>mlac demo</c> trains for unless told otherwise (about 8 minutes on 2 cores).</summary>
    public const int DemoSteps = 40;

    /// <summary>The preset <c>mlac demo</c> trains with.</summary>
    public const string DemoPreset = "realistic-erase";

    /// <summary>
    /// What <c>mlac demo</c> trains: <see cref="DemoPreset"/> for <paramref name="steps"/> steps with smaller evaluation
    /// sets than a real run. About 12 s per step on 2 cores (40 steps of realistic-erase: 8 min 15 s, 2026-12-06).
    /// </summary>
    public static MlacTrainingOptions Demo(int steps) => Get(DemoPreset) with
    {
        Steps = steps, EvaluateEvery = Math.Max(1, steps / 4), CheckpointEvery = 5, ValidationExamples = 128,
        QuickAttackerExamples = 100, HeadInitializationExamples = 600,
    };
}
