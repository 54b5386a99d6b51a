namespace MlacRelease.Core.Evaluation;

/// <summary>
/// Settings of <see cref="LogisticRegressionProbe"/>. The objective is the mean cross-entropy over the examples plus
/// <c>L2 / 2 · ‖W‖²</c> on the weights of the standardised features (the bias is not penalised), so L2 is comparable
/// across data sizes and feature scales.
/// </summary>
public sealed record LogisticRegressionOptions
{
    /// <summary>L2 strength on the weights; must be positive (it makes the problem strictly convex, so separable data
    /// still has a unique, finite optimum and "fit to convergence" is well defined).</summary>
    public double L2 { get; init; } = 1e-3;

    /// <summary>Stop once every component of the objective's gradient is at most this (absolute, float64).</summary>
    public double GradientTolerance { get; init; } = 1e-7;

    public int MaxIterations { get; init; } = 1000;

    public ProbeSolver Solver { get; init; } = ProbeSolver.Auto;

    /// <summary>Auto uses Newton up to this many parameters (classes × (features + 1)); its Hessian is that size squared.</summary>
    public int NewtonMaxParameters { get; init; } = 2048;

    /// <summary>L-BFGS history length (pairs of step and gradient difference kept).</summary>
    public int LbfgsHistory { get; init; } = 20;

    /// <summary>Standardise each feature to zero mean and unit variance over the training examples (constant features
    /// become zero). Off only for callers that already standardised.</summary>
    public bool Standardize { get; init; } = true;

    public LogisticRegressionOptions Validate()
    {
        if (!(L2 > 0) || !double.IsFinite(L2)) throw new ArgumentOutOfRangeException(nameof(L2), L2, "L2 must be positive and finite");
        if (!(GradientTolerance > 0)) throw new ArgumentOutOfRangeException(nameof(GradientTolerance), GradientTolerance, "must be positive");
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "must be at least 1");
        if (NewtonMaxParameters < 0) throw new ArgumentOutOfRangeException(nameof(NewtonMaxParameters), NewtonMaxParameters, "must not be negative");
        if (LbfgsHistory < 1) throw new ArgumentOutOfRangeException(nameof(LbfgsHistory), LbfgsHistory, "must be at least 1");
        return this;
    }
}
