namespace MlacRelease.Core.Evaluation;

/// <summary>
/// A line search that finds a step t along a descent direction d satisfying the strong Wolfe conditions
/// f(x + t d) ≤ f(x) + c₁ t ∇f·d and |∇f(x + t d)·d| ≤ c₂ |∇f·d| (Nocedal and Wright, Algorithms 3.5 and 3.6:
/// bracketing by extrapolation, then zoom by safeguarded cubic interpolation). TorchSharp's LBFGS wraps libtorch's
/// without exposing its line_search_fn, and a fixed-step L-BFGS can stall or overshoot on badly scaled problems,
/// so the probe carries its own.
/// </summary>
internal static class StrongWolfeLineSearch
{
    public const double C1 = 1e-4;
    public const double C2 = 0.9;

    public readonly record struct Result(double Step, double Loss, double[] Gradient, int Evaluations);

    /// <param name="evaluate">Objective and gradient at x + t·d for a step t.</param>
    public static Result Search(Func<double, (double Loss, double[] Gradient)> evaluate, double[] direction, double loss0,
        double[] gradient0, double initialStep, int maxEvaluations = 25, double toleranceChange = 1e-12)
    {
        var slope0 = Dot(gradient0, direction);
        var directionScale = VectorMath.MaxAbs(direction);
        var t = initialStep;
        var (fNew, gNew) = evaluate(t);
        var evaluations = 1;
        var slopeNew = Dot(gNew, direction);

        double tPrev = 0, fPrev = loss0, slopePrev = slope0;
        var gPrev = gradient0;
        double[] bracket, bracketF, bracketSlope;
        double[][] bracketG;
        var done = false;

        // Phase 1: grow the step until an interval is known to contain an acceptable one.
        while (true)
        {
            if (fNew > loss0 + C1 * t * slope0 || (evaluations > 2 && fNew >= fPrev))
            {
                (bracket, bracketF, bracketG, bracketSlope) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [slopePrev, slopeNew]);
                break;
            }
            if (Math.Abs(slopeNew) <= -C2 * slope0)
            {
                (bracket, bracketF, bracketG, bracketSlope) = ([t], [fNew], [gNew], [slopeNew]);
                done = true;
                break;
            }
            if (slopeNew >= 0)
            {
                (bracket, bracketF, bracketG, bracketSlope) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [slopePrev, slopeNew]);
                break;
            }
            if (evaluations >= maxEvaluations)
            {
                (bracket, bracketF, bracketG, bracketSlope) = ([0, t], [loss0, fNew], [gradient0, gNew], [slope0, slopeNew]);
                break;
            }
            var next = CubicMinimum(tPrev, fPrev, slopePrev, t, fNew, slopeNew, t + 0.01 * (t - tPrev), t * 10);
            (tPrev, fPrev, gPrev, slopePrev) = (t, fNew, gNew, slopeNew);
            t = next;
            (fNew, gNew) = evaluate(t);
            evaluations++;
            slopeNew = Dot(gNew, direction);
        }

        // Phase 2: shrink the bracket; "low" always holds the best step that meets the sufficient-decrease condition.
        var insufficientProgress = false;
        var (low, high) = bracketF.Length == 1 || bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
        while (!done && evaluations < maxEvaluations)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * directionScale < toleranceChange) break;
            t = CubicMinimum(bracket[0], bracketF[0], bracketSlope[0], bracket[1], bracketF[1], bracketSlope[1], null, null);
            var hi = Math.Max(bracket[0], bracket[1]);
            var lo = Math.Min(bracket[0], bracket[1]);
            var margin = 0.1 * (hi - lo);
            // Keep the trial away from the bracket's ends, or the interval would stop shrinking.
            if (Math.Min(hi - t, t - lo) < margin)
            {
                if (insufficientProgress || t >= hi || t <= lo)
                {
                    t = Math.Abs(t - hi) < Math.Abs(t - lo) ? hi - margin : lo + margin;
                    insufficientProgress = false;
                }
                else
                {
                    insufficientProgress = true;
                }
            }
            else
            {
                insufficientProgress = false;
            }

            (fNew, gNew) = evaluate(t);
            evaluations++;
            slopeNew = Dot(gNew, direction);
            if (fNew > loss0 + C1 * t * slope0 || fNew >= bracketF[low])
            {
                (bracket[high], bracketF[high], bracketG[high], bracketSlope[high]) = (t, fNew, gNew, slopeNew);
                (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(slopeNew) <= -C2 * slope0) done = true;
                else if (slopeNew * (bracket[high] - bracket[low]) >= 0)
                {
                    (bracket[high], bracketF[high], bracketG[high], bracketSlope[high]) = (bracket[low], bracketF[low], bracketG[low], bracketSlope[low]);
                }
                (bracket[low], bracketF[low], bracketG[low], bracketSlope[low]) = (t, fNew, gNew, slopeNew);
            }
        }
        return new Result(bracket[low], bracketF[low], bracketG[low], evaluations);
    }

    /// <summary>Minimiser of the cubic through two points with their values and slopes, clamped to [min, max]
    /// (the interval's ends when not given); the midpoint when the cubic has no real minimiser.</summary>
    internal static double CubicMinimum(double x1, double f1, double g1, double x2, double f2, double g2, double? min, double? max)
    {
        var lower = min ?? Math.Min(x1, x2);
        var upper = max ?? Math.Max(x1, x2);
        var d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        var d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0 && double.IsFinite(d2Square))
        {
            var d2 = Math.Sqrt(d2Square);
            var position = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            if (double.IsFinite(position)) return Math.Clamp(position, lower, upper);
        }
        return (lower + upper) / 2;
    }

    private static double Dot(double[] a, double[] b) => VectorMath.Dot(a, b);
}
