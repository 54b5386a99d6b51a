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
    public const string CurrentSchema = "mlac.selection/v1";

    public CandidateScore? Chosen => Candidates.FirstOrDefault(c => c.Step == ChosenStep);
}
