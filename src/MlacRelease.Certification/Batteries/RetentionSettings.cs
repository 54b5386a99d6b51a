using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Batteries;

/// <summary>How desired-task retention is measured, identically on the model and the pretrained encoder: a probe and
/// a fine-tuning run on the desired task, scored on the test split.</summary>
/// <param name="TrainExamples">Desired-task examples (from the defender's split) both use.</param>
/// <param name="ProbeL2">L2 strength of the desired-task probe.</param>
/// <param name="FineTune">The desired-task fine-tuning run (full fine-tuning, fresh head).</param>
public sealed record RetentionSettings(int TrainExamples, double ProbeL2, FineTuneSettings FineTune);
