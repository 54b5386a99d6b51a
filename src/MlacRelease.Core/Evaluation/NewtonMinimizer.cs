namespace MlacRelease.Core.Evaluation;

/// <summary>
/// Newton's method with Armijo backtracking for a smooth, strictly convex objective: quadratic convergence near the
/// optimum, so the gradient tolerance is met in a few iterations when the Hessian is affordable.
/// </summary>
internal static class NewtonMinimizer
{
    public static MinimizerResult Minimize(Func<double[], (double Loss, double[] Gradient)> evaluate,
        Func<double[], double[], double[]> newtonDirection, double[] start, double gradientTolerance, int maxIterations)
    {
        var x = start;
        var (loss, gradient) = evaluate(x);
        var evaluations = 1;
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            if (VectorMath.MaxAbs(gradient) <= gradientTolerance)
                return new MinimizerResult(x, loss, gradient, iteration - 1, evaluations, true);
            var direction = newtonDirection(x, gradient);
            var slope = VectorMath.Dot(gradient, direction);
            if (!(slope < 0) || direction.Any(v => !double.IsFinite(v)))
                direction = Array.ConvertAll(gradient, g => -g);
            slope = VectorMath.Dot(gradient, direction);

            var accepted = false;
            for (var t = 1.0; t > 1e-12; t *= 0.5)
            {
                var candidate = VectorMath.AddScaled(x, t, direction);
                var (candidateLoss, candidateGradient) = evaluate(candidate);
                evaluations++;
                if (candidateLoss <= loss + 1e-4 * t * slope)
                {
                    (x, loss, gradient, accepted) = (candidate, candidateLoss, candidateGradient, true);
                    break;
                }
            }
            if (!accepted)
            {
                // At the optimum to float64 precision: no step decreases the loss any further.
                var done = VectorMath.MaxAbs(gradient) <= gradientTolerance;
                return new MinimizerResult(x, loss, gradient, iteration, evaluations, done);
            }
        }
        return new MinimizerResult(x, loss, gradient, maxIterations, evaluations, VectorMath.MaxAbs(gradient) <= gradientTolerance);
    }
}
