using MlacRelease.Training.Objective;

namespace MlacRelease.Training.Trainer;

/// <summary>Named configurations: the paper's reported MLAC and the variants its code explores.</summary>
public static class MlacPresets
{
    public static IReadOnlyList<string> Names { get; } = ["mlac", "max-loss", "gradient-penalty", "adversarial-censoring"];

    public static MlacTrainingOptions Get(string name) => name switch
    {
        // The curve the paper reports as MLAC: λ_good = 1, λ_lin = 1, λ_bad = 0, λ_grad = 0, K = 16.
        "mlac" => new MlacTrainingOptions(),
        "max-loss" => new MlacTrainingOptions { Weights = new MlacLossWeights { Good = 1, Bad = 1, HeadAdjustment = 0 } },
        "gradient-penalty" => new MlacTrainingOptions { Weights = new MlacLossWeights { Good = 1, GradientPenalty = 1, HeadAdjustment = 1 } },
        // K = 0 with λ_bad = 1: plain adversarial censoring, no meta-learning through an attacker's updates.
        "adversarial-censoring" => new MlacTrainingOptions { InnerSteps = 0, Weights = new MlacLossWeights { Good = 1, Bad = 1, HeadAdjustment = 0 } },
        _ => throw new ArgumentException($"unknown preset '{name}': expected one of {string.Join(", ", Names)}"),
    };
}
