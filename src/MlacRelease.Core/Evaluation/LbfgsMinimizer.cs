namespace MlacRelease.Core.Evaluation;

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, Algorithm 7.4/7.5) with the strong-Wolfe line search, stopping when the
/// gradient's largest component is at most the tolerance. The Wolfe curvature condition guarantees sᵀy &gt; 0, so the
/// inverse-Hessian approximation stays positive definite and every direction is a descent direction.
/// </summary>
internal static class LbfgsMinimizer
{
    public static MinimizerResult Minimize(Func<double[], (double Loss, double[] Gradient)> evaluate, double[] start,
        double gradientTolerance, int maxIterations, int history)
    {
        var x = start;
        var (loss, gradient) = evaluate(x);
        var evaluations = 1;
        var steps = new List<double[]>();
        var differences = new List<double[]>();
        var rhos = new List<double>();
        var iterations = 0;
        var stalled = 0;
        if (VectorMath.MaxAbs(gradient) <= gradientTolerance)
            return new MinimizerResult(x, loss, gradient, 0, evaluations, true);

        while (iterations < maxIterations)
        {
            iterations++;
            var direction = TwoLoopDirection(gradient, steps, differences, rhos);
            var slope = VectorMath.Dot(gradient, direction);
            if (!(slope < 0))
            {
                // Numerical trouble made the quasi-Newton direction useless: restart from steepest descent.
                steps.Clear();
                differences.Clear();
                rhos.Clear();
                direction = Array.ConvertAll(gradient, g => -g);
                slope = VectorMath.Dot(gradient, direction);
            }
            // The first step has no curvature information: scale it so it moves the parameters by about one unit.
            var initialStep = steps.Count == 0 ? Math.Min(1.0, 1.0 / VectorMath.SumAbs(gradient)) : 1.0;
            var origin = x;
            StrongWolfeLineSearch.Result search;
            if (-slope < 1e-13 * Math.Max(1.0, Math.Abs(loss)))
            {
                // The decrease this step can make is below float64's resolution of the loss, so comparing losses is
                // noise: accept the step that shrinks the gradient instead (the quantity the tolerance is about).
                search = GradientOnlyStep(evaluate, origin, direction, gradient, initialStep);
                evaluations += search.Evaluations;
                if (search.Step == 0)
                    return new MinimizerResult(x, loss, gradient, iterations, evaluations, false);
            }
            else
            {
                search = StrongWolfeLineSearch.Search(t => evaluate(VectorMath.AddScaled(origin, t, direction)),
                    direction, loss, gradient, initialStep);
                evaluations += search.Evaluations;
            }
            if (!double.IsFinite(search.Loss) || search.Loss - loss > 1e-13 * Math.Max(1.0, Math.Abs(loss)))
                return new MinimizerResult(x, loss, gradient, iterations, evaluations, false);

            var next = VectorMath.AddScaled(x, search.Step, direction);
            var step = VectorMath.Subtract(next, x);
            var difference = VectorMath.Subtract(search.Gradient, gradient);
            var curvature = VectorMath.Dot(step, difference);
            var previousLoss = loss;
            var previousGradientMax = VectorMath.MaxAbs(gradient);
            (x, loss, gradient) = (next, search.Loss, search.Gradient);
            if (curvature > 1e-16 * VectorMath.Dot(difference, difference))
            {
                if (steps.Count == history)
                {
                    steps.RemoveAt(0);
                    differences.RemoveAt(0);
                    rhos.RemoveAt(0);
                }
                steps.Add(step);
                differences.Add(difference);
                rhos.Add(1.0 / curvature);
            }

            if (VectorMath.MaxAbs(gradient) <= gradientTolerance)
                return new MinimizerResult(x, loss, gradient, iterations, evaluations, true);
            // Near the optimum the loss stops changing in float64 long before the gradient does, so only a run of
            // iterations that improves neither counts as "no representable progress left".
            stalled = loss < previousLoss || VectorMath.MaxAbs(gradient) < previousGradientMax ? 0 : stalled + 1;
            if (VectorMath.MaxAbs(step) == 0 || stalled >= 3)
                return new MinimizerResult(x, loss, gradient, iterations, evaluations, false);
        }
        return new MinimizerResult(x, loss, gradient, iterations, evaluations, false);
    }

    private static StrongWolfeLineSearch.Result GradientOnlyStep(Func<double[], (double Loss, double[] Gradient)> evaluate,
        double[] origin, double[] direction, double[] gradient, double initialStep)
    {
        var current = VectorMath.MaxAbs(gradient);
        var evaluations = 0;
        for (var t = initialStep; evaluations < 10; t *= 0.5)
        {
            var (candidateLoss, candidateGradient) = evaluate(VectorMath.AddScaled(origin, t, direction));
            evaluations++;
            if (VectorMath.MaxAbs(candidateGradient) < current)
                return new StrongWolfeLineSearch.Result(t, candidateLoss, candidateGradient, evaluations);
        }
        return new StrongWolfeLineSearch.Result(0, double.NaN, gradient, evaluations);
    }

    /// <summary>−H·g by the two-loop recursion, H the L-BFGS inverse-Hessian approximation (scaled identity γI
    /// with γ = sᵀy / yᵀy from the newest pair).</summary>
    private static double[] TwoLoopDirection(double[] gradient, List<double[]> steps, List<double[]> differences, List<double> rhos)
    {
        var q = Array.ConvertAll(gradient, g => -g);
        var count = steps.Count;
        var alphas = new double[count];
        for (var i = count - 1; i >= 0; i--)
        {
            alphas[i] = rhos[i] * VectorMath.Dot(steps[i], q);
            var y = differences[i];
            for (var j = 0; j < q.Length; j++) q[j] -= alphas[i] * y[j];
        }
        if (count > 0)
        {
            var newest = differences[count - 1];
            var gamma = 1.0 / (rhos[count - 1] * VectorMath.Dot(newest, newest));
            for (var j = 0; j < q.Length; j++) q[j] *= gamma;
        }
        for (var i = 0; i < count; i++)
        {
            var beta = rhos[i] * VectorMath.Dot(differences[i], q);
            var s = steps[i];
            for (var j = 0; j < q.Length; j++) q[j] += s[j] * (alphas[i] - beta);
        }
        return q;
    }
}
