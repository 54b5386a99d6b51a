using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Search;

/// <summary>
/// One attack of the battery at one data size against one target: the whole search (every trial at every rung it
/// reached) and the seed reruns of the configuration the attacker chose (highest tuning accuracy at the last rung).
/// </summary>
public sealed record AttackUnitResult(
    string Attack,
    AttackFamily Family,
    TargetRole Target,
    AttackerDataSize DataSize,
    int TrainExamples,
    IReadOnlyList<SearchTrial> Trials,
    int BestTrial,
    AttackConfig BestConfig,
    IReadOnlyList<SeedRun> Runs);
