namespace MlacRelease.Certification.Batteries;

/// <summary>A positive range sampled log-uniformly (learning rates, regularisation); Min == Max is a fixed value.</summary>
public sealed record LogUniformRange(double Min, double Max)
{
    public double Sample(Core.Data.DeterministicRandom random) =>
        Min == Max ? Min : Math.Exp(Math.Log(Min) + random.NextDouble() * (Math.Log(Max) - Math.Log(Min)));
}
