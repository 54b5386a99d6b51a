namespace MlacRelease.Core.Evaluation;

/// <summary>How a probe's fit ended: which solver, how long it took, and whether it met the gradient tolerance.</summary>
/// <param name="Solver">Newton or L-BFGS (never Auto).</param>
/// <param name="Iterations">Solver iterations (Newton steps or L-BFGS directions).</param>
/// <param name="FunctionEvaluations">Objective + gradient evaluations, line searches included.</param>
/// <param name="Loss">Final objective: mean cross-entropy + L2/2 · ‖W‖².</param>
/// <param name="GradientMaxNorm">Largest absolute component of the final gradient.</param>
/// <param name="Converged">Whether <see cref="GradientMaxNorm"/> met the tolerance (false: iteration cap or no further progress).</param>
public sealed record ProbeFitReport(ProbeSolver Solver, int Iterations, int FunctionEvaluations, double Loss, double GradientMaxNorm, bool Converged);
