namespace MlacRelease.Training.Trainer;

/// <summary>What a progress display needs after each outer step.</summary>
public sealed record TrainingProgress(long Step, long TotalSteps, TimeSpan Elapsed, TimeSpan? Remaining, TrainingMetrics Metrics, EvaluationResult? LastEvaluation);
