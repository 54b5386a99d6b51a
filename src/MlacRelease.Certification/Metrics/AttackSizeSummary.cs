using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;

namespace MlacRelease.Certification.Metrics;

/// <summary>One attack at one data size, all three targets, with the blocking score and the model's accuracy above
/// the random-init twin's (the quantity the policy caps per n).</summary>
public sealed record AttackSizeSummary(
    string Attack,
    AttackFamily Family,
    AttackerDataSize DataSize,
    int TrainExamples,
    TargetScore Model,
    TargetScore Pretrained,
    TargetScore RandomInit,
    double? BlockingScore,
    string? BlockingNote,
    double ExcessOverRandom);
