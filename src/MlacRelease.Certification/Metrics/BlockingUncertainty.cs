namespace MlacRelease.Certification.Metrics;

/// <summary>
/// An approximate standard error of a blocking score, from what a certificate keeps: each target's mean, seed
/// standard deviation and seed count, and the number of test examples. Two readings of the same weights with other
/// attack seeds or another evaluation sample differ by about this much, so a score 0.85 ± 0.10 and another 0.98 ± 0.04
/// do not say the two batteries disagree.
/// </summary>
/// <remarks>
/// Each target's mean accuracy carries the seed-to-seed spread (sd² / k) plus the evaluation sample's binomial
/// variance p (1 − p) / n. The latter is not divided by k because every seed is scored on the same test examples.
/// It overlaps with the seed spread, so the sum leans high; so does the binomial term for a near-constant predictor on
/// a stratified test sample, which gets the class shares whatever the draw. With one seed the spread between attack
/// seeds is not measured and only the binomial part is counted. The three means are propagated through
/// (P − M) / (P − R) to first order, as independent.
/// </remarks>
public static class BlockingUncertainty
{
    /// <returns>Null where the blocking score itself is undefined, or with no test examples.</returns>
    public static double? StandardError(TargetScore model, TargetScore pretrained, TargetScore random, double? blockingScore, int testExamples)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(random);
        if (blockingScore is null || testExamples <= 0) return null;
        return StandardError(model.Accuracy, pretrained.Accuracy, random.Accuracy, testExamples);
    }

    /// <summary>The same from the three accuracies' seed statistics; null when pretrained and random init coincide.</summary>
    public static double? StandardError(SeedStatistics model, SeedStatistics pretrained, SeedStatistics random, int testExamples)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(testExamples);
        var (p, m, r) = (pretrained.Mean, model.Mean, random.Mean);
        var gap = p - r;
        if (gap == 0) return null;
        var variance = Square(1 / gap) * MeanVariance(model, testExamples)
                       + Square((m - r) / (gap * gap)) * MeanVariance(pretrained, testExamples)
                       + Square((p - m) / (gap * gap)) * MeanVariance(random, testExamples);
        return Math.Sqrt(variance);
    }

    /// <summary>The error of one attack's score at one size.</summary>
    public static double? OfRow(AttackSizeSummary row, int testExamples)
    {
        ArgumentNullException.ThrowIfNull(row);
        return StandardError(row.Model, row.Pretrained, row.RandomInit, row.BlockingScore, testExamples);
    }

    /// <summary>The error of the best-attack-per-target score at one size, which takes each target's strongest
    /// attack (the one behind the model's accuracy, the highest pretrained and random-init accuracies).</summary>
    public static double? OfBestAttack(WorstCaseAtSize size, IReadOnlyList<AttackSizeSummary> rows, int testExamples)
    {
        ArgumentNullException.ThrowIfNull(size);
        ArgumentNullException.ThrowIfNull(rows);
        var atSize = rows.Where(r => r.DataSize == size.DataSize).ToList();
        if (size.BlockingScore is null || atSize.Count == 0 || testExamples <= 0) return null;
        var model = atSize.FirstOrDefault(r => r.Attack == size.StrongestAttack)?.Model.Accuracy;
        if (model is null) return null;
        var pretrained = atSize.MaxBy(r => r.Pretrained.Accuracy.Mean)!.Pretrained.Accuracy;
        var random = atSize.MaxBy(r => r.RandomInit.Accuracy.Mean)!.RandomInit.Accuracy;
        return StandardError(model, pretrained, random, testExamples);
    }

    /// <summary>The error of the lowest score in the worst case (<see cref="WorstCase.MinBlockingScore"/>), found the
    /// way the worst case found it: sizes in order, the best attack per target before the lowest single attack.</summary>
    public static double? OfMinimum(WorstCase worst, IReadOnlyList<AttackSizeSummary> rows, int testExamples)
    {
        ArgumentNullException.ThrowIfNull(worst);
        ArgumentNullException.ThrowIfNull(rows);
        if (worst.MinBlockingScore is not { } min) return null;
        foreach (var size in worst.BySize)
        {
            if (size.BlockingScore == min) return OfBestAttack(size, rows, testExamples);
            if (size.LowestAttackBlockingScore == min) return OfLowestAttack(size, rows, testExamples);
        }
        return null;
    }

    /// <summary>The error of the lowest single attack's score at one size (<see cref="WorstCaseAtSize.LowestBlockingAttack"/>).</summary>
    public static double? OfLowestAttack(WorstCaseAtSize size, IReadOnlyList<AttackSizeSummary> rows, int testExamples)
    {
        ArgumentNullException.ThrowIfNull(size);
        ArgumentNullException.ThrowIfNull(rows);
        return rows.FirstOrDefault(r => r.DataSize == size.DataSize && r.Attack == size.LowestBlockingAttack) is { } row ? OfRow(row, testExamples) : null;
    }

    /// <summary>Variance of a target's mean accuracy: seed spread over k, plus the shared test sample's binomial term.</summary>
    public static double MeanVariance(SeedStatistics accuracy, int testExamples)
    {
        ArgumentNullException.ThrowIfNull(accuracy);
        var p = Math.Clamp(accuracy.Mean, 0, 1);
        return Square(accuracy.StandardDeviation) / Math.Max(1, accuracy.Count) + p * (1 - p) / testExamples;
    }

    private static double Square(double x) => x * x;
}
