using System.Text.Json.Serialization;

namespace MlacRelease.Training.Trainer;

public sealed record TrainingSummary
{
    [JsonPropertyName("steps_completed")] public long StepsCompleted { get; init; }
    [JsonPropertyName("steps_requested")] public long StepsRequested { get; init; }
    [JsonPropertyName("stopped_because")] public string StoppedBecause { get; init; } = "";
    [JsonPropertyName("elapsed_s")] public double ElapsedSeconds { get; init; }
    [JsonPropertyName("best_step")] public long? BestStep { get; init; }
    [JsonPropertyName("best_validation_loss")] public double? BestValidationLoss { get; init; }
    [JsonPropertyName("initial_evaluation")] public EvaluationResult? InitialEvaluation { get; init; }
    [JsonPropertyName("best_evaluation")] public EvaluationResult? BestEvaluation { get; init; }
    [JsonPropertyName("model_folder")] public string ModelFolder { get; init; } = "";
    [JsonPropertyName("weight_digest")] public string WeightDigest { get; init; } = "";
    [JsonPropertyName("resumed_from_step")] public long? ResumedFromStep { get; init; }
}
