using MlacRelease.Training.Inner;

namespace MlacRelease.Training.Objective;

/// <summary>
/// One rollout's simulated attacker drawn from the realistic mix: its family, optimiser and learning rate, how many of
/// its first inner steps are the benign phase, and its gradient clip. A LoRA draw's rank, α and adapter seed are the
/// plan's <see cref="RolloutPlan.Lora"/>. The learning rate is fixed for the rollout (not the meta-learned α).
/// </summary>
public sealed record AttackerDraw(AttackerFamily Family, InnerOptimizerKind Optimizer, double LearningRate, int BenignSteps, double ClipNorm)
{
    /// <summary>A re-initialisation draw's layer count and the seed of its fresh weights; null for other families.</summary>
    public (int Layers, ulong Seed)? Reinit { get; init; }
}
