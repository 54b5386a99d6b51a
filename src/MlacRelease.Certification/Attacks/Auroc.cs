namespace MlacRelease.Certification.Attacks;

/// <summary>Area under the ROC curve via the Mann–Whitney statistic, ties counted as one half.</summary>
public static class Auroc
{
    /// <returns>Null when one class is absent (the curve is undefined).</returns>
    public static double? Compute(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        if (scores.Count != labels.Count) throw new ArgumentException("scores and labels differ in length");
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        // Average ranks (1-based) over runs of equal scores.
        var ranks = new double[scores.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            var rank = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++) ranks[order[i]] = rank;
            start = end + 1;
        }
        long positives = labels.Count(l => l == 1), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        var positiveRankSum = Enumerable.Range(0, labels.Count).Where(i => labels[i] == 1).Sum(i => ranks[i]);
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
