namespace MlacRelease.Certification.Selection;

/// <summary>
/// What the validation battery found for one candidate: the worst-case blocking score (lowest over data sizes and
/// attacks; null when no size had a measurable pretrained head start), the desired-task accuracies behind the
/// retention rule, and whether the candidate may be released.
/// </summary>
/// <param name="Step">The candidate's outer step.</param>
/// <param name="WorstCaseBlocking">Lowest blocking score over the validation battery (higher is better).</param>
/// <param name="WorstCaseWhere">Which attack and size gave it.</param>
/// <param name="HarmfulAccuracy">The strongest validation attack's harmful accuracy on the candidate.</param>
/// <param name="DesiredDrop">Largest drop in desired accuracy from the pretrained encoder (probe or fine-tuning), in accuracy points as a fraction.</param>
/// <param name="Eligible">The drop is within the rule's tolerance plus its measurement noise.</param>
/// <param name="CertificatePath">The validation certificate the figures come from.</param>
public sealed record CandidateScore(
    long Step,
    double? WorstCaseBlocking,
    string? WorstCaseWhere,
    double HarmfulAccuracy,
    double DesiredDrop,
    bool Eligible,
    string CertificatePath)
{
    /// <summary>The noise allowance the rule added to its tolerance for this candidate (see <see cref="SelectionRule.NoiseMargin"/>).</summary>
    public double DesiredDropNoise { get; init; }

    /// <summary>The approximate standard error of <see cref="WorstCaseBlocking"/> (see <see cref="Metrics.BlockingUncertainty"/>):
    /// candidates closer than this are not told apart by the validation battery. Left out of the JSON when null.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? WorstCaseBlockingError { get; init; }
}
