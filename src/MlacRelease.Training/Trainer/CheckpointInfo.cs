using System.Text.Json.Serialization;

namespace MlacRelease.Training.Trainer;

/// <summary>The non-tensor part of a checkpoint, stored as JSON in the safetensors metadata.</summary>
public sealed record CheckpointInfo
{
    [JsonPropertyName("format")] public string Format { get; init; } = "mlac.checkpoint.v1";
    /// <summary>Outer steps completed.</summary>
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("outer_adam_steps")] public long OuterAdamSteps { get; init; }
    [JsonPropertyName("meta_adam_steps")] public long MetaAdamSteps { get; init; }
    [JsonPropertyName("elapsed_s")] public double ElapsedSeconds { get; init; }
    [JsonPropertyName("best_validation_loss")] public double? BestValidationLoss { get; init; }
    [JsonPropertyName("best_step")] public long? BestStep { get; init; }
    /// <summary>Options that must match for a resume to continue the same run (steps and budget may change).</summary>
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; init; } = "";
    [JsonPropertyName("dataset_digest")] public string DatasetDigest { get; init; } = "";
    [JsonPropertyName("config")] public string EncoderConfigJson { get; init; } = "";
    [JsonPropertyName("desired_labels")] public IReadOnlyList<string> DesiredLabels { get; init; } = [];
    [JsonPropertyName("harmful_labels")] public IReadOnlyList<string> HarmfulLabels { get; init; } = [];
    /// <summary>The LoRA attacker carried to the next long rollout (its tensors are under "carry."); null: none.</summary>
    [JsonPropertyName("carried_attacker")] public Objective.CarriedAttackerInfo? CarriedAttacker { get; init; }
}
