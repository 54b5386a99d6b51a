namespace MlacRelease.Certification.Selection;

/// <summary>The outcome of checkpoint selection: every candidate's score and the one chosen (null when none was eligible).</summary>
public sealed record SelectionResult(
    string Schema,
    string Battery,
    string BatteryDigest,
    double DesiredTolerance,
    IReadOnlyList<CandidateScore> Candidates,
    long? ChosenStep,
    string Reason)
{
    // v2: candidates carry DesiredDropNoise, the rule's measurement-noise allowance. v3: and WorstCaseBlockingError,
    // the standard error of their worst-case blocking (absent where that score is undefined).
    public const string CurrentSchema = "mlac.selection/v3";

    public CandidateScore? Chosen => Candidates.FirstOrDefault(c => c.Step == ChosenStep);
}
