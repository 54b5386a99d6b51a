using MlacRelease.Certification.Batteries;

namespace MlacRelease.Certification.Metrics;

/// <summary>
/// The attacker's best at one data size over the whole battery: for each target the strongest attack's mean accuracy
/// (possibly a different attack per target), the blocking score from those, the lowest per-attack blocking score, and
/// how far the attacker's best on the model lies above its best on the random-init twin (the policy caps this per n).
/// </summary>
public sealed record WorstCaseAtSize(
    AttackerDataSize DataSize,
    int TrainExamples,
    string StrongestAttack,
    double ModelAccuracy,
    double PretrainedAccuracy,
    double RandomInitAccuracy,
    double? BlockingScore,
    string? BlockingNote,
    double? LowestAttackBlockingScore,
    string? LowestBlockingAttack,
    double ExcessOverRandom);
