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
    IReadOnlyList<SeedRun> Runs)
{
    /// <summary>Null when every search run is unscored and every seed rerun scored on the test split (attack code
    /// <see cref="AttackCodeVersion"/> 2 on); else what is wrong. A method, so that it stays out of the JSON.</summary>
    public string? ScoringProblem()
    {
        if (Trials.SelectMany(t => t.Runs).Any(r => r.Result.HasTestScores()))
            return "a search run has test scores (written by attack code before mlac.attacks/2)";
        return Runs.Any(r => !r.Result.HasTestScores()) ? "a seed rerun has no test score" : null;
    }
}
