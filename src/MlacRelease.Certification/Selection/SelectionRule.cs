using MlacRelease.Certification.Certificates;

namespace MlacRelease.Certification.Selection;

/// <summary>
/// Which candidate is released: among those whose desired-task accuracy (probe and fine-tuning, on the validation
/// test part) is not measurably more than <see cref="DesiredTolerance"/> below the pretrained encoder's, the one with
/// the highest worst-case blocking on the validation battery; ties go to the later step (more training, same measured
/// blocking). A candidate whose blocking is undefined ranks below every defined score.
/// </summary>
/// <remarks>
/// "Measurably": the validation test part is small (100 examples at the built-in corpus), where one example is a
/// point. A drop counts only beyond the tolerance plus <see cref="NoiseStandardErrors"/> standard errors of the
/// difference of the two accuracies on that many examples. With a fixed 1-point bar, two runs threw away their best
/// checkpoint (validation blocking 0.95 and 1.00) over two examples of 100 (2026-12-06). The certificate's own
/// retention, on the 1,000-example test split and checked by the release policy, stays the binding check.
/// </remarks>
public static class SelectionRule
{
    /// <summary>One accuracy point, as the training issue's release rule states it.</summary>
    public const double DesiredTolerance = 0.01;

    /// <summary>How many standard errors of the measured difference a drop may exceed the tolerance by.</summary>
    public const double NoiseStandardErrors = 1.0;

    /// <param name="testExamples">How many examples the retention accuracies were scored on.</param>
    public static CandidateScore Score(long step, Certificate certificate, string certificatePath, int testExamples, double tolerance = DesiredTolerance)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var retention = certificate.Summary.Retention;
        var probe = (Drop: retention.PretrainedProbe - retention.ModelProbe, Pretrained: retention.PretrainedProbe, Model: retention.ModelProbe);
        var fineTune = (Drop: retention.PretrainedFineTune - retention.ModelFineTune, Pretrained: retention.PretrainedFineTune, Model: retention.ModelFineTune);
        var larger = probe.Drop >= fineTune.Drop ? probe : fineTune;
        var margin = NoiseMargin(larger.Pretrained, larger.Model, testExamples);
        var worst = certificate.WorstCase;
        return new CandidateScore(step, worst.MinBlockingScore, worst.MinBlockingWhere, worst.MaxModelAccuracy, larger.Drop,
            larger.Drop <= tolerance + margin + 1e-12, certificatePath)
        {
            DesiredDropNoise = margin,
            WorstCaseBlockingError = Metrics.BlockingUncertainty.OfMinimum(worst, certificate.Summary.Attacks, certificate.Context.Data.TestExamples),
        };
    }

    /// <summary><see cref="NoiseStandardErrors"/> standard errors of the difference of two accuracies, each a
    /// proportion of <paramref name="n"/> examples (binomial, unpaired: the larger, more lenient, of the two
    /// estimates a paired test could give).</summary>
    public static double NoiseMargin(double pretrained, double model, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        static double Variance(double p) => Math.Clamp(p, 0, 1) * (1 - Math.Clamp(p, 0, 1));
        return NoiseStandardErrors * Math.Sqrt((Variance(pretrained) + Variance(model)) / n);
    }

    private static string F(double value, string format) => value.ToString(format, System.Globalization.CultureInfo.InvariantCulture);

    public static (long? Step, string Reason) Choose(IReadOnlyList<CandidateScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) return (null, "no candidates");
        var eligible = scores.Where(s => s.Eligible).ToList();
        if (eligible.Count == 0)
            return (null, $"no candidate kept the desired task within {DesiredTolerance:P0} (plus measurement noise) of the pretrained encoder " +
                          $"(smallest drop {scores.Min(s => s.DesiredDrop):P1})");
        var best = eligible
            .OrderByDescending(s => s.WorstCaseBlocking ?? double.NegativeInfinity)
            .ThenByDescending(s => s.Step)
            .First();
        var score = best.WorstCaseBlocking is { } b ? F(b, "0.000") + (best.WorstCaseBlockingError is { } e ? " ± " + F(e, "0.00") : "") : "undefined";
        var reason = $"highest validation worst-case blocking ({score}, {best.WorstCaseWhere}) of {eligible.Count} eligible candidate(s)";
        // Say when the battery cannot tell the runners-up from the winner, so nobody reads a 0.003 lead as a ranking.
        if (best is { WorstCaseBlocking: { } top, WorstCaseBlockingError: { } error })
        {
            var close = eligible.Where(s => s != best && s.WorstCaseBlocking is { } other && top - other <= error).Select(s => $"step {s.Step} ({F(s.WorstCaseBlocking!.Value, "0.000")})").ToList();
            if (close.Count > 0) reason += $"; within one standard error of it, so tied at this battery's resolution: {string.Join(", ", close)}";
        }
        return (best.Step, reason);
    }
}
