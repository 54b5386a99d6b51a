using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Metrics;

/// <summary>The smallest attacker data size in the battery at which an attack's mean accuracy on a target reaches a
/// level (the paper's "solve datapoints"); null when no size in the battery reaches it.</summary>
/// <param name="Attack">An attack's name, or "best" for the strongest attack at each size.</param>
public sealed record ExamplesToReach(string Attack, TargetRole Target, double Accuracy, int? Examples);
