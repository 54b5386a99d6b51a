namespace MlacRelease.Certification.Costing;

/// <summary>Where a run sits in a unit, which decides what it pays beyond its harmful training and tuning evaluations:
/// a search run scores no test split, and a later rung's search run restores its benign phase from the first rung's
/// (<see cref="Attacks.BenignPhaseCache"/>) instead of training it again.</summary>
public enum RunKind
{
    FirstRungSearch,
    LaterRungSearch,
    SeedRerun,
}
