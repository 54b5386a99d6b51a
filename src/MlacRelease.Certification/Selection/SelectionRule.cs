using MlacRelease.Certification.Certificates;

namespace MlacRelease.Certification.Selection;

/// <summary>
/// Which candidate is released: among those whose desired-task accuracy (probe and fine-tuning, on the validation
/// test part) is at most <see cref="DesiredTolerance"/> below the pretrained encoder's, the one with the highest
/// worst-case blocking on the validation battery; ties go to the later step (more training, same measured blocking).
/// A candidate whose blocking is undefined ranks below every defined score.
/// </summary>
public static class SelectionRule
{
    /// <summary>One accuracy point, as the training issue's release rule states it.</summary>
    public const double DesiredTolerance = 0.01;

    public static CandidateScore Score(long step, Certificate certificate, string certificatePath, double tolerance = DesiredTolerance)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var retention = certificate.Summary.Retention;
        var drop = Math.Max(retention.PretrainedProbe - retention.ModelProbe, retention.PretrainedFineTune - retention.ModelFineTune);
        var worst = certificate.WorstCase;
        return new CandidateScore(step, worst.MinBlockingScore, worst.MinBlockingWhere, worst.MaxModelAccuracy, drop,
            drop <= tolerance + 1e-12, certificatePath);
    }

    public static (long? Step, string Reason) Choose(IReadOnlyList<CandidateScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) return (null, "no candidates");
        var eligible = scores.Where(s => s.Eligible).ToList();
        if (eligible.Count == 0)
            return (null, $"no candidate kept the desired task within {DesiredTolerance:P0} of the pretrained encoder " +
                          $"(smallest drop {scores.Min(s => s.DesiredDrop):P1})");
        var best = eligible
            .OrderByDescending(s => s.WorstCaseBlocking ?? double.NegativeInfinity)
            .ThenByDescending(s => s.Step)
            .First();
        var score = best.WorstCaseBlocking is { } b ? b.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "undefined";
        return (best.Step, $"highest validation worst-case blocking ({score}, {best.WorstCaseWhere}) of {eligible.Count} eligible candidate(s)");
    }
}
