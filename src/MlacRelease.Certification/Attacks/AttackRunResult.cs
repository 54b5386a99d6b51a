namespace MlacRelease.Certification.Attacks;

/// <summary>
/// What one attack run achieved. The attacker watches the tuning split every E steps and keeps the checkpoint that
/// scored best there; the certified number is that checkpoint's accuracy on the untouched test split
/// (<see cref="TestAccuracy"/>). <see cref="BestTuneAccuracy"/> is the paper's generous "best during training" score.
/// A search run (<see cref="AttackRunner.Search"/>) is the attacker's view only: its test fields are null, since no
/// certified number is taken from it and scoring the test split cost more than a short rung's training.
/// </summary>
/// <param name="TrainExamples">Attacker examples the run trained on (n).</param>
/// <param name="Steps">Optimiser steps taken (0 for the probe).</param>
/// <param name="Curve">Tuning-split accuracy every E steps and at the last step.</param>
/// <param name="BestStep">Step of the best tuning score (the earliest on ties).</param>
/// <param name="BestTuneAccuracy">Highest tuning-split accuracy seen.</param>
/// <param name="TestAccuracy">Test accuracy of the checkpoint at <see cref="BestStep"/>; null for a search run.</param>
/// <param name="TestAuroc">Test AUROC there (binary tasks).</param>
/// <param name="FinalTestAccuracy">Test accuracy after the last step; null for a search run.</param>
/// <param name="FinalTestAuroc">Test AUROC after the last step (binary tasks).</param>
/// <param name="Diverged">The training loss became NaN or infinite; training stopped there.</param>
public sealed record AttackRunResult(
    int TrainExamples,
    int Steps,
    IReadOnlyList<CurvePoint> Curve,
    int BestStep,
    double BestTuneAccuracy,
    double? TestAccuracy,
    double? TestAuroc,
    double? FinalTestAccuracy,
    double? FinalTestAuroc,
    bool Diverged)
{
    /// <summary>Whether the test split was scored (a certified run, not a search run). A method, not a property, so
    /// that it stays out of the stored JSON.</summary>
    public bool HasTestScores() => TestAccuracy is not null && FinalTestAccuracy is not null;
}
