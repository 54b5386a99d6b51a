namespace MlacRelease.Certification.Metrics;

/// <summary>Everything derived from the runs: per-attack scores, examples to reach accuracy levels, retention.</summary>
public sealed record CertificateSummary(
    IReadOnlyList<AttackSizeSummary> Attacks,
    IReadOnlyList<ExamplesToReach> ExamplesToReach,
    RetentionSummary Retention);
