using MlacRelease.Core.Data;
using MlacRelease.Core.Numerics;
using MlacRelease.Core.Evaluation;
using static TorchSharp.torch;

namespace MlacRelease.Training.Erasure;

/// <summary>
/// Iterative nullspace projection (INLP, Ravfogel et al. 2020): fit a linear probe for the label, remove the directions
/// its weights span, fit again on what is left, and so on. After r directions the rows keep everything but an
/// r-dimensional subspace, orthogonal to the rest, which is where a linear reader found the label.
/// </summary>
/// <remarks>Why more than one direction: on the built-in MiniLM's first-name embeddings the gender of a name never seen
/// by the probe is read at 99.7 % from the raw rows, at 81 % after the class-mean direction is removed, and near chance
/// only after 8–16 directions (issue 11, session 19). Everything runs in float64 on the rows' device.</remarks>
public static class NullspaceProjection
{
    /// <summary>An orthonormal [r, H] basis of the subspace, r ≤ <paramref name="rank"/> (fewer only when the probe's
    /// weights have nothing left outside it).</summary>
    /// <param name="rows">[N, H] rows to read the label from.</param>
    /// <param name="labels">Their classes.</param>
    public static Tensor FitDirections(Tensor rows, IReadOnlyList<long> labels, int classes, int rank, double l2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        CheckRows(rows, labels);
        using var scope = NewDisposeScope();
        var x = Standardised(rows);
        var y = tensor(labels.ToArray(), device: rows.device);
        var basis = new List<Tensor>();
        while (basis.Count < rank)
        {
            var projected = basis.Count == 0 ? x : Project(x, stack(basis));
            var added = 0;
            foreach (var direction in WeightDirections(projected, y, classes, l2))
            {
                if (basis.Count == rank) break;
                var orthogonal = direction;
                foreach (var b in basis) orthogonal = orthogonal - b * orthogonal.dot(b);
                var norm = orthogonal.norm().item<double>();
                // Relative: a direction that lies almost wholly in the basis already adds only rounding noise.
                if (norm <= 1e-8 * direction.norm().item<double>()) continue;
                basis.Add(orthogonal.Over(norm));
                added++;
            }
            if (added == 0) break;   // the probe reads nothing left outside the subspace
        }
        var result = basis.Count == 0 ? zeros([0, rows.shape[1]], ScalarType.Float64, rows.device) : stack(basis);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The rows with their component along <paramref name="directions"/> (orthonormal [r, H]) taken out, measured
    /// from <paramref name="centre"/> ([H]; default zero), so a row's place along those directions becomes the centre's.</summary>
    public static Tensor Project(Tensor rows, Tensor directions, Tensor? centre = null)
    {
        if (directions.shape[0] == 0) return rows.clone();
        using var scope = NewDisposeScope();
        var q = directions.to(rows.dtype, rows.device);
        var offset = centre is null ? rows : rows - centre.to(rows.dtype, rows.device);
        return (rows - offset.matmul(q.t()).matmul(q)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// How well the label of rows the directions were not fitted on is read after removing r = 0..<paramref name="maxRank"/>
    /// directions: stratified k-fold, directions and a fresh probe fitted on the other folds, accuracy on the held-out
    /// one, averaged over folds. Held out because a subspace fitted on all rows makes their classes' means equal, and a
    /// probe tested on those same rows then reads the leftover as an artefact below chance.
    /// </summary>
    public static double[] HeldOutAccuracyByRank(Tensor rows, IReadOnlyList<long> labels, int classes, int maxRank, int folds, ulong seed, double l2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        CheckRows(rows, labels);
        var smallest = labels.GroupBy(l => l).Min(g => g.Count());
        if (folds > smallest) throw new ArgumentOutOfRangeException(nameof(folds), folds, $"every fold needs a row of each class; the smallest class has {smallest}");
        using var scope = NewDisposeScope();
        var fold = FoldOf(labels, folds, seed);
        var sums = new double[maxRank + 1];
        for (var f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, labels.Count).Where(i => fold[i] != f).Select(i => (long)i).ToArray();
            var test = Enumerable.Range(0, labels.Count).Where(i => fold[i] == f).Select(i => (long)i).ToArray();
            var trainRows = rows.index_select(0, tensor(train, device: rows.device)).to(ScalarType.Float64);
            var testRows = rows.index_select(0, tensor(test, device: rows.device)).to(ScalarType.Float64);
            var trainLabels = train.Select(i => labels[(int)i]).ToArray();
            var testLabels = tensor(test.Select(i => labels[(int)i]).ToArray(), device: rows.device);
            var directions = FitDirections(trainRows, trainLabels, classes, maxRank, l2);
            for (var r = 0; r <= maxRank; r++)
            {
                var q = directions[..Math.Min(r, (int)directions.shape[0])];
                var probe = Probe(Project(trainRows, q), tensor(trainLabels, device: rows.device), classes, l2);
                sums[r] += probe.Accuracy(Project(testRows, q), testLabels);
            }
        }
        return sums.Select(s => s / folds).ToArray();
    }

    private static void CheckRows(Tensor rows, IReadOnlyList<long> labels)
    {
        if (rows.dim() != 2) throw new ArgumentException($"rows must be [N, H], got [{string.Join(", ", rows.shape)}]", nameof(rows));
        if (labels.Count != rows.shape[0]) throw new ArgumentException($"{labels.Count} labels for {rows.shape[0]} rows", nameof(labels));
    }

    // Centred and divided by one overall spread: a rotation-invariant scaling, so a direction found here is a direction
    // of the raw rows (per-feature standardisation would tilt it).
    private static Tensor Standardised(Tensor rows)
    {
        var x = rows.to(ScalarType.Float64);
        var centred = x - x.mean([0], keepdim: true);
        return centred / centred.Pow(2).mean().sqrt().ClampMin(1e-12);
    }

    /// <summary>The probe's class weights centred over the classes: their span is what it reads (C − 1 directions).</summary>
    private static IEnumerable<Tensor> WeightDirections(Tensor x, Tensor y, int classes, double l2)
    {
        var probe = LogisticRegressionProbe.Fit(x, y, classes, Options(l2));
        var w = tensor(probe.Weight.ToArray(), [classes, x.shape[1]], ScalarType.Float64, x.device);
        w = w - w.mean([0], keepdim: true);
        for (var c = 0; c < classes - 1; c++) yield return w[c];
    }

    // The reader the held-out test asks: a fresh probe on the projected rows, standardising with the training rows' own
    // statistics, which it applies to the held-out rows too.
    private static LogisticRegressionModel Probe(Tensor x, Tensor y, int classes, double l2) =>
        LogisticRegressionProbe.Fit(x, y, classes, Options(l2) with { Standardize = true });

    private static LogisticRegressionOptions Options(double l2) =>
        new() { L2 = l2, Standardize = false, Solver = ProbeSolver.Lbfgs, GradientTolerance = 1e-6, MaxIterations = 500 };

    private static int[] FoldOf(IReadOnlyList<long> labels, int folds, ulong seed)
    {
        var fold = new int[labels.Count];
        var random = new DeterministicRandom(DeterministicRandom.DeriveSeed(seed, "nullspace-folds"));
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToList();
            random.Shuffle(members);
            for (var k = 0; k < members.Count; k++) fold[members[k]] = k % folds;
        }
        return fold;
    }
}
