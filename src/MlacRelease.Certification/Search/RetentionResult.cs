using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Search;

/// <summary>Desired-task accuracy on the test split of one target, by a probe and by a fine-tuning run.</summary>
public sealed record RetentionResult(TargetRole Target, int TrainExamples, double ProbeAccuracy, double FineTuneAccuracy);
