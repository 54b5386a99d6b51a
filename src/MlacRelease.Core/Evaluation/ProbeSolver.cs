namespace MlacRelease.Core.Evaluation;

/// <summary>How <see cref="LogisticRegressionProbe"/> minimises its (strictly convex) objective.</summary>
public enum ProbeSolver
{
    /// <summary>Newton while the Hessian stays small (see <see cref="LogisticRegressionOptions.NewtonMaxParameters"/>), L-BFGS beyond.</summary>
    Auto = 0,

    /// <summary>Damped Newton with an exact Hessian and Armijo backtracking: a handful of iterations to machine precision.</summary>
    Newton = 1,

    /// <summary>Full-batch L-BFGS with a strong-Wolfe line search; memory linear in the parameter count.</summary>
    Lbfgs = 2,
}
