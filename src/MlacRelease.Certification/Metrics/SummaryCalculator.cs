using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Search;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Metrics;

/// <summary>
/// Derives the summary and the worst case from the unit results alone, so a verifier can recompute them from a
/// certificate and check they were not edited. Order follows the battery (attacks, then sizes), never completion order.
/// </summary>
public static class SummaryCalculator
{
    public const string BestAttack = "best";

    public static (CertificateSummary Summary, WorstCase WorstCase) Compute(Battery battery, IReadOnlyList<AttackUnitResult> units,
        IReadOnlyList<RetentionResult> retention)
    {
        var rows = new List<AttackSizeSummary>();
        foreach (var attack in battery.Attacks)
        {
            foreach (var size in battery.DataSizes)
            {
                AttackUnitResult Unit(TargetRole role) =>
                    units.SingleOrDefault(u => u.Attack == attack.Name && u.DataSize == size && u.Target == role)
                    ?? throw new MlacInputException($"no result for attack '{attack.Name}', n = {size.Label}, target {role}");
                var model = Unit(TargetRole.Model);
                var pretrained = Unit(TargetRole.Pretrained);
                var random = Unit(TargetRole.RandomInit);
                var (score, note) = BlockingScore.Compute(Mean(pretrained), Mean(model), Mean(random), battery.Metrics.BlockingMinGap);
                rows.Add(new AttackSizeSummary(attack.Name, attack.Family, size, model.TrainExamples, Score(model), Score(pretrained), Score(random),
                    score, note, Mean(model) - Mean(random)));
            }
        }

        var worst = WorstCaseOf(battery, rows);
        var reach = new List<ExamplesToReach>();
        foreach (var name in battery.Attacks.Select(a => a.Name).Append(BestAttack))
        {
            foreach (var role in Enum.GetValues<TargetRole>())
            {
                var curve = name == BestAttack
                    ? worst.BySize.Select(w => (w.TrainExamples, Accuracy: role switch
                    {
                        TargetRole.Model => w.ModelAccuracy,
                        TargetRole.Pretrained => w.PretrainedAccuracy,
                        _ => w.RandomInitAccuracy,
                    })).ToList()
                    : rows.Where(r => r.Attack == name).Select(r => (r.TrainExamples, Accuracy: ScoreOf(r, role).Accuracy.Mean)).ToList();
                foreach (var level in battery.Metrics.AccuracyTargets)
                {
                    var reached = curve.Where(p => p.Accuracy >= level).Select(p => (int?)p.TrainExamples).FirstOrDefault();
                    reach.Add(new ExamplesToReach(name, role, level, reached));
                }
            }
        }

        return (new CertificateSummary(rows, reach, Retention(retention)), worst);
    }

    public static TargetScore ScoreOf(AttackSizeSummary row, TargetRole role) => role switch
    {
        TargetRole.Model => row.Model,
        TargetRole.Pretrained => row.Pretrained,
        TargetRole.RandomInit => row.RandomInit,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    private static double Mean(AttackUnitResult unit) => Scored(unit).Average(r => r.TestAccuracy!.Value);

    private static TargetScore Score(AttackUnitResult unit)
    {
        var runs = Scored(unit);
        var aurocs = runs.Where(r => r.TestAuroc is not null).Select(r => r.TestAuroc!.Value).ToList();
        return new TargetScore(unit.Target,
            SeedStatistics.Of(runs.Select(r => r.TestAccuracy!.Value).ToList()),
            aurocs.Count == runs.Count && aurocs.Count > 0 ? SeedStatistics.Of(aurocs) : null,
            SeedStatistics.Of(runs.Select(r => r.FinalTestAccuracy!.Value).ToList()),
            SeedStatistics.Of(runs.Select(r => r.BestTuneAccuracy).ToList()));
    }

    /// <summary>The seed reruns, which certified numbers come from; each must carry its test scores.</summary>
    private static List<AttackRunResult> Scored(AttackUnitResult unit)
    {
        var runs = unit.Runs.Select(r => r.Result).ToList();
        if (runs.Any(r => !r.HasTestScores()))
            throw new MlacInputException($"attack '{unit.Attack}', n = {unit.DataSize.Label}, target {unit.Target}: a seed rerun has no test score");
        return runs;
    }

    private static WorstCase WorstCaseOf(Battery battery, List<AttackSizeSummary> rows)
    {
        var bySize = new List<WorstCaseAtSize>();
        foreach (var size in battery.DataSizes)
        {
            var atSize = rows.Where(r => r.DataSize == size).ToList();
            // First in battery order wins ties, so the choice does not depend on anything but the numbers.
            var strongest = atSize.Aggregate((a, b) => b.Model.Accuracy.Mean > a.Model.Accuracy.Mean ? b : a);
            var pretrained = atSize.Max(r => r.Pretrained.Accuracy.Mean);
            var random = atSize.Max(r => r.RandomInit.Accuracy.Mean);
            var (score, note) = BlockingScore.Compute(pretrained, strongest.Model.Accuracy.Mean, random, battery.Metrics.BlockingMinGap);
            var defined = atSize.Where(r => r.BlockingScore is not null).ToList();
            var lowest = defined.Count == 0 ? null : defined.Aggregate((a, b) => b.BlockingScore < a.BlockingScore ? b : a);
            bySize.Add(new WorstCaseAtSize(size, strongest.TrainExamples, strongest.Attack, strongest.Model.Accuracy.Mean, pretrained, random,
                score, note, lowest?.BlockingScore, lowest?.Attack, strongest.Model.Accuracy.Mean - random));
        }

        double? minBlocking = null;
        string? minWhere = null;
        foreach (var w in bySize)
        {
            foreach (var (value, where) in new[] { (w.BlockingScore, $"n = {w.DataSize.Label}, best attack per target"), (w.LowestAttackBlockingScore, $"n = {w.DataSize.Label}, {w.LowestBlockingAttack}") })
            {
                if (value is { } v && (minBlocking is null || v < minBlocking))
                {
                    minBlocking = v;
                    minWhere = where;
                }
            }
        }
        var maxExcess = bySize.Aggregate((a, b) => b.ExcessOverRandom > a.ExcessOverRandom ? b : a);
        var maxModel = bySize.Aggregate((a, b) => b.ModelAccuracy > a.ModelAccuracy ? b : a);
        return new WorstCase(bySize, minBlocking, minWhere,
            maxExcess.ExcessOverRandom, $"n = {maxExcess.DataSize.Label}, {maxExcess.StrongestAttack}",
            maxModel.ModelAccuracy, $"n = {maxModel.DataSize.Label}, {maxModel.StrongestAttack}");
    }

    private static RetentionSummary Retention(IReadOnlyList<RetentionResult> results)
    {
        RetentionResult Of(TargetRole role) => results.SingleOrDefault(r => r.Target == role)
            ?? throw new MlacInputException($"no retention result for {role}");
        var model = Of(TargetRole.Model);
        var pretrained = Of(TargetRole.Pretrained);
        var random = Of(TargetRole.RandomInit);
        static double Ratio(double model, double reference) => reference > 0 ? model / reference : 1.0;
        var probe = Ratio(model.ProbeAccuracy, pretrained.ProbeAccuracy);
        var fineTune = Ratio(model.FineTuneAccuracy, pretrained.FineTuneAccuracy);
        return new RetentionSummary(model.ProbeAccuracy, pretrained.ProbeAccuracy, random.ProbeAccuracy,
            model.FineTuneAccuracy, pretrained.FineTuneAccuracy, random.FineTuneAccuracy, probe, fineTune, Math.Min(probe, fineTune));
    }
}
