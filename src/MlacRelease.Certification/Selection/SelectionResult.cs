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
    // v2: candidates carry DesiredDropNoise, the rule's measurement-noise allowance.
    public const string CurrentSchema = "mlac.selection/v2";

    public CandidateScore? Chosen => Candidates.FirstOrDefault(c => c.Step == ChosenStep);
}
