namespace MlacRelease.Training.Objective;

/// <summary>
/// Finishes <see cref="HeadAdjustment.Solve"/>: projected Newton steps on all C² entries of W from the point coordinate
/// descent stopped at, until the projected gradient, not the loss, says W is the optimum.
/// </summary>
internal static class HeadAdjustmentNewton
{
    /// <summary>Classes up to which <see cref="Polish"/> runs: its Newton system has C² unknowns.</summary>
    internal const int MaxClasses = 8;

    /// <summary>
    /// Coordinate descent stops when the loss no longer changes in floating point. That leaves W about √ε from W*, and
    /// further where the logits' columns are correlated (a narrow valley it crosses slowly). Danskin's gradient reads
    /// W* itself, so finish with projected Newton steps on all entries and accept a step when it shrinks the projected
    /// gradient (the optimality condition) without raising the loss beyond rounding.
    /// </summary>
    internal static void Polish(double[,] logits, int[] labels, double[,] w, double bound, double current)
    {
        var c = w.GetLength(0);
        if (c > MaxClasses) return;
        var m = c * c;
        var (gradient, hessian) = GradientAndHessian(logits, labels, w);
        var residual = ProjectedResidual(w, gradient, bound);
        // An entry at a bound whose gradient points inwards only by rounding stays held: freeing it frees the flat
        // direction W + u·1ᵀ of its row, along which the ridge step can move far enough for the bound to clip it.
        var logitScale = 1.0;
        foreach (var v in logits) logitScale = Math.Max(logitScale, Math.Abs(v));
        var held = 1e-13 * logitScale;
        for (var iteration = 0; iteration < 50 && residual > 0; iteration++)
        {
            var free = Enumerable.Range(0, m).Where(k => !Pinned(w[k / c, k % c], gradient[k], bound, held)).ToArray();
            var step = SolveRidge(hessian, gradient, free);
            if (step is null) return;
            var accepted = false;
            for (var t = 1.0; t > 1e-9 && !accepted; t /= 2)
            {
                var candidate = (double[,])w.Clone();
                for (var f = 0; f < free.Length; f++)
                {
                    var (i, j) = (free[f] / c, free[f] % c);
                    candidate[i, j] = Math.Clamp(w[i, j] + t * step[f], -bound, bound);
                }
                var loss = HeadAdjustment.Loss(logits, labels, candidate);
                // The loss test first: a step it rejects needs no Hessian.
                if (loss > current + 1e-14 * Math.Max(1, Math.Abs(current))) continue;
                var (g, h) = GradientAndHessian(logits, labels, candidate);
                var r = ProjectedResidual(candidate, g, bound);
                if (r < residual)
                {
                    Array.Copy(candidate, w, m);
                    (gradient, hessian, residual, current, accepted) = (g, h, r, Math.Min(loss, current), true);
                }
            }
            if (!accepted) return;
        }
    }

    /// <summary>At a bound, a gradient that points out of the box is held by the constraint, not a residual.</summary>
    private static bool Pinned(double value, double gradient, double bound, double tolerance = 0) =>
        (value >= bound && gradient < tolerance) || (value <= -bound && gradient > -tolerance);

    /// <summary>The largest gradient entry not held by a bound: zero exactly at the constrained optimum.</summary>
    private static double ProjectedResidual(double[,] w, double[] gradient, double bound)
    {
        var c = w.GetLength(0);
        var worst = 0.0;
        for (var k = 0; k < gradient.Length; k++)
            if (!Pinned(w[k / c, k % c], gradient[k], bound)) worst = Math.Max(worst, Math.Abs(gradient[k]));
        return worst;
    }

    /// <summary>Gradient and Hessian of the mean cross-entropy with respect to W, entries in row-major order (i·C + j).</summary>
    private static (double[] Gradient, double[,] Hessian) GradientAndHessian(double[,] logits, int[] labels, double[,] w)
    {
        var n = logits.GetLength(0);
        var c = w.GetLength(0);
        var m = c * c;
        var gradient = new double[m];
        var hessian = new double[m, m];
        var row = new double[c];
        var p = new double[c];
        for (var r = 0; r < n; r++)
        {
            HeadAdjustment.Remap(logits, r, w, row);
            var lse = HeadAdjustment.LogSumExp(row);
            for (var j = 0; j < c; j++) p[j] = Math.Exp(row[j] - lse);
            for (var i = 0; i < c; i++)
            {
                for (var j = 0; j < c; j++)
                {
                    gradient[i * c + j] += logits[r, i] * (p[j] - (labels[r] == j ? 1 : 0)) / n;
                    for (var k = 0; k < c; k++)
                        for (var l = 0; l < c; l++)
                            hessian[i * c + j, k * c + l] += logits[r, i] * logits[r, k] * p[j] * ((j == l ? 1 : 0) - p[l]) / n;
                }
            }
        }
        return (gradient, hessian);
    }

    /// <summary>
    /// −(H_FF + μI)⁻¹ g_F by Cholesky. The Hessian is singular along W + u·1ᵀ (softmax ignores a shift common to every
    /// class), and the gradient has no component there but rounding. A ridge of 1e-9 of the diagonal's scale keeps that
    /// rounding from becoming a large step along the flat direction (which a bound would then turn into a real change),
    /// and slows the useful part by at most that ratio of its curvature per step. Null when the system is not positive
    /// definite even so.
    /// </summary>
    private static double[]? SolveRidge(double[,] hessian, double[] gradient, int[] free)
    {
        var f = free.Length;
        if (f == 0) return null;
        var scale = free.Max(k => Math.Abs(hessian[k, k]));
        if (!(scale > 0)) return null;
        var a = new double[f, f];
        for (var x = 0; x < f; x++)
        {
            for (var y = 0; y < f; y++) a[x, y] = hessian[free[x], free[y]];
            a[x, x] += 1e-9 * scale;
        }
        // In-place Cholesky: a = L·Lᵀ, L in the lower triangle.
        for (var x = 0; x < f; x++)
        {
            for (var y = 0; y <= x; y++)
            {
                var sum = a[x, y];
                for (var k = 0; k < y; k++) sum -= a[x, k] * a[y, k];
                if (x == y)
                {
                    if (!(sum > 0)) return null;
                    a[x, x] = Math.Sqrt(sum);
                }
                else
                {
                    a[x, y] = sum / a[y, y];
                }
            }
        }
        var z = new double[f];
        for (var x = 0; x < f; x++)
        {
            var sum = -gradient[free[x]];
            for (var k = 0; k < x; k++) sum -= a[x, k] * z[k];
            z[x] = sum / a[x, x];
        }
        var step = new double[f];
        for (var x = f - 1; x >= 0; x--)
        {
            var sum = z[x];
            for (var k = x + 1; k < f; k++) sum -= a[k, x] * step[k];
            step[x] = sum / a[x, x];
        }
        return step;
    }
}
