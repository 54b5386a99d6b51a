using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Search;

/// <summary>A sampled configuration and its runs, one per rung it reached.</summary>
public sealed record SearchTrial(int Index, AttackConfig Config, IReadOnlyList<SearchRun> Runs);
