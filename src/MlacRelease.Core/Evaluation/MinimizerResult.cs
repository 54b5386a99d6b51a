namespace MlacRelease.Core.Evaluation;

/// <summary>Where a minimiser stopped.</summary>
internal sealed record MinimizerResult(double[] Point, double Loss, double[] Gradient, int Iterations, int Evaluations, bool Converged);
