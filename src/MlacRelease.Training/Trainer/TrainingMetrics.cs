using MlacRelease.Core.Numerics;
using System.Text.Json.Serialization;
using MlacRelease.Training.Objective;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Training.Trainer;

/// <summary>One line of metrics.jsonl: the outer step's losses, or (when Evaluation is set) a validation pass.</summary>
public sealed record TrainingMetrics
{
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("elapsed_s")] public double ElapsedSeconds { get; init; }
    [JsonPropertyName("inner_steps")] public int InnerSteps { get; init; }
    [JsonPropertyName("outer_loss")] public double OuterLoss { get; init; }
    [JsonPropertyName("desired_ce")] public double DesiredCrossEntropy { get; init; }
    [JsonPropertyName("attacker_ce")] public double AttackerCrossEntropy { get; init; }
    [JsonPropertyName("attacker_ce_last")] public double AttackerCrossEntropyLast { get; init; }
    [JsonPropertyName("head_adjusted_ce")] public double HeadAdjustedCrossEntropy { get; init; }
    [JsonPropertyName("inner_grad_norm")] public double InnerGradientNorm { get; init; }
    [JsonPropertyName("distillation")] public double Distillation { get; init; }
    /// <summary>The bounded suppression terms (SuppressionLosses), logged whether or not their λ is on; rep_mmd is 0 unless λ_rep is, erase_gap unless λ_erase is, meta_erase_gap unless λ_meta_erase is.</summary>
    [JsonPropertyName("attacker_entropy")] public double AttackerEntropy { get; init; }
    [JsonPropertyName("kl_uniform")] public double KlUniform { get; init; }
    [JsonPropertyName("inverse_ce")] public double InverseCrossEntropy { get; init; }
    [JsonPropertyName("rep_mmd")] public double RepresentationSeparability { get; init; }
    [JsonPropertyName("erase_gap")] public double ClassMeanGap { get; init; }
    [JsonPropertyName("meta_erase_gap")] public double AdaptedClassMeanGap { get; init; }
    [JsonPropertyName("outer_grad_norm")] public double OuterGradientNorm { get; init; }
    [JsonPropertyName("attacker_lr")] public double AttackerLearningRate { get; init; }
    /// <summary>The learning rate of this step's LoRA attacker; null when the attacker fine-tuned all weights.</summary>
    [JsonPropertyName("lora_lr")] public double? LoraLearningRate { get; init; }
    /// <summary>This rollout's realistic attacker draw (family, optimiser, learning rate, LoRA rank, benign steps); null
    /// without --attacker-mix realistic.</summary>
    [JsonPropertyName("attacker_family")] public string? AttackerFamily { get; init; }
    [JsonPropertyName("attacker_optimizer")] public string? AttackerOptimizer { get; init; }
    [JsonPropertyName("attacker_rollout_lr")] public double? AttackerRolloutLearningRate { get; init; }
    [JsonPropertyName("lora_rank")] public int? LoraRank { get; init; }
    [JsonPropertyName("benign_steps")] public int? BenignSteps { get; init; }
    /// <summary>M of a first-order long-horizon rollout (its K is inner_steps); null for a short rollout.</summary>
    [JsonPropertyName("suppression_every")] public int? SuppressionEvery { get; init; }
    /// <summary>Inner steps a carried LoRA attacker had taken before this rollout (0: it started here); null: not carried.</summary>
    [JsonPropertyName("carried_steps")] public int? CarriedSteps { get; init; }
    [JsonPropertyName("step_s")] public double StepSeconds { get; init; }
    [JsonPropertyName("eval")] public EvaluationResult? Evaluation { get; init; }

    /// <summary>The line of one outer step: its terms, its rollout's draw, the outer gradient norm and α after the
    /// step. A new objective term is logged by adding its field here, not in the training loop.</summary>
    public static TrainingMetrics OfStep(MlacTerms terms, RolloutPlan plan, double outerGradientNorm, double attackerLearningRate)
    {
        var perStep = terms.PerStepAttackerCrossEntropy.to(ScalarType.Float64).data<double>().ToArray();
        return new TrainingMetrics
        {
            InnerSteps = plan.InnerSteps,
            OuterLoss = terms.Outer.Value(),
            DesiredCrossEntropy = terms.Desired.Value(),
            AttackerCrossEntropy = terms.AttackerCrossEntropy.Value(),
            AttackerCrossEntropyLast = perStep.Length > 0 ? perStep[^1] : double.NaN,
            HeadAdjustedCrossEntropy = terms.HeadAdjusted.Value(),
            InnerGradientNorm = terms.GradientNorm.Value(),
            Distillation = terms.Distillation.Value(),
            AttackerEntropy = terms.Entropy.Value(),
            KlUniform = terms.KlUniform.Value(),
            InverseCrossEntropy = terms.InverseCrossEntropy.Value(),
            RepresentationSeparability = terms.RepresentationSeparability.Value(),
            ClassMeanGap = terms.ClassMeanGap.Value(),
            AdaptedClassMeanGap = terms.AdaptedClassMeanGap.Value(),
            OuterGradientNorm = outerGradientNorm,
            AttackerLearningRate = attackerLearningRate,
            LoraLearningRate = plan.Lora?.LearningRate,
            AttackerFamily = plan.Attacker?.Family.ToString(),
            AttackerOptimizer = plan.Attacker?.Optimizer.ToString(),
            AttackerRolloutLearningRate = plan.Attacker?.LearningRate,
            LoraRank = plan.Attacker is null ? null : plan.Lora?.Rank,
            BenignSteps = plan.Attacker?.BenignSteps,
            SuppressionEvery = plan.SuppressionEvery,
            CarriedSteps = plan.CarriedSteps,
        };
    }
}

public sealed record EvaluationResult
{
    [JsonPropertyName("validation_loss")] public double ValidationLoss { get; init; }
    [JsonPropertyName("desired_accuracy")] public double DesiredAccuracy { get; init; }
    [JsonPropertyName("harmful_probe_accuracy")] public double HarmfulProbeAccuracy { get; init; }
    /// <summary>The same probe on each layer's mean-pooled output, layers 1..L; null in logs written before it existed.</summary>
    [JsonPropertyName("harmful_layer_probe_accuracy")] public IReadOnlyList<double>? HarmfulLayerProbeAccuracy { get; init; }
    [JsonPropertyName("best")] public bool IsBest { get; init; }
}
