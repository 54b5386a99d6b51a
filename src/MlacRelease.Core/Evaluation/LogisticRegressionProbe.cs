using MlacRelease.Core.Numerics;
using static TorchSharp.torch;

namespace MlacRelease.Core.Evaluation;

/// <summary>
/// A linear probe on frozen features: multinomial logistic regression fitted to convergence (standardised features,
/// L2 on the weights, full batch). A probe measures what the features make linearly available, so it must not stop
/// early the way an SGD-trained head does: Newton (small problems) or L-BFGS with a strong-Wolfe line search (large
/// ones) runs until the gradient's largest component is below the tolerance. Deterministic: the start is zero and
/// there is no sampling. Runs on the features' device in float64.
/// </summary>
public static class LogisticRegressionProbe
{
    /// <param name="features">[N, d] floating-point features (any device).</param>
    /// <param name="labels">[N] integer labels in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes (at least 2; classes absent from the labels simply get low scores).</param>
    public static LogisticRegressionModel Fit(Tensor features, Tensor labels, int classes, LogisticRegressionOptions? options = null)
    {
        options = (options ?? new LogisticRegressionOptions()).Validate();
        Check(features, labels, classes);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var n = features.shape[0];
        var d = (int)features.shape[1];
        var device = features.device;
        var x = features.detach().to(ScalarType.Float64);
        var y = labels.detach().to(ScalarType.Int64, device);

        double[] mean, scale;
        if (options.Standardize)
        {
            var m = x.mean([0]);
            var s = x.std(0, unbiased: false);
            // A constant feature carries nothing; dividing by its (zero) spread would make it NaN.
            s = where(s.Greater(1e-12), s, ones_like(s));
            x = (x - m) / s;
            mean = m.cpu().data<double>().ToArray();
            scale = s.cpu().data<double>().ToArray();
        }
        else
        {
            mean = new double[d];
            scale = Enumerable.Repeat(1.0, d).ToArray();
        }

        var objective = new SoftmaxRegressionObjective(x, y, classes, options.L2);
        var solver = options.Solver == ProbeSolver.Auto
            ? objective.ParameterCount <= options.NewtonMaxParameters ? ProbeSolver.Newton : ProbeSolver.Lbfgs
            : options.Solver;
        var start = new double[objective.ParameterLength];
        var result = solver == ProbeSolver.Newton
            ? NewtonMinimizer.Minimize(objective.Evaluate, objective.NewtonDirection, start, options.GradientTolerance, options.MaxIterations)
            : LbfgsMinimizer.Minimize(objective.Evaluate, start, options.GradientTolerance, options.MaxIterations, options.LbfgsHistory);

        var weight = result.Point[..(classes * d)];
        var bias = result.Point[(classes * d)..];
        var offset = bias.Average();
        for (var k = 0; k < classes; k++) bias[k] -= offset;

        var report = new ProbeFitReport(solver, result.Iterations, result.Evaluations, result.Loss, VectorMath.MaxAbs(result.Gradient), result.Converged);
        var provisional = new LogisticRegressionModel(classes, d, weight, bias, mean, scale, report, double.NaN);
        var trainingAccuracy = provisional.Accuracy(features, y);
        return new LogisticRegressionModel(classes, d, weight, bias, mean, scale, report, trainingAccuracy);
    }

    // Validated here, before any libtorch call: a bad label inside one_hot or a NaN feature would otherwise surface
    // as a native error or as a silently wrong fit.
    private static void Check(Tensor features, Tensor labels, int classes)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "a probe needs at least 2 classes");
        if (features.dim() != 2) throw new ArgumentException($"features must be [N, d], got [{string.Join(", ", features.shape)}]", nameof(features));
        if (!features.is_floating_point()) throw new ArgumentException($"features must be floating point, got {features.dtype}", nameof(features));
        if (features.shape[0] < 1 || features.shape[1] < 1) throw new ArgumentException("features must have at least one row and one column", nameof(features));
        if (labels.dim() != 1 || labels.shape[0] != features.shape[0])
            throw new ArgumentException($"labels must be [{features.shape[0]}], got [{string.Join(", ", labels.shape)}]", nameof(labels));
        if (labels.is_floating_point() || labels.dtype == ScalarType.Bool) throw new ArgumentException($"labels must be integers, got {labels.dtype}", nameof(labels));
        using var scope = NewDisposeScope();
        var min = labels.min().item<long>();
        var max = labels.max().item<long>();
        if (min < 0 || max >= classes) throw new ArgumentException($"labels must lie in [0, {classes - 1}], found {min}..{max}", nameof(labels));
        if (!isfinite(features).all().item<bool>()) throw new ArgumentException("features contain NaN or infinity", nameof(features));
    }
}
