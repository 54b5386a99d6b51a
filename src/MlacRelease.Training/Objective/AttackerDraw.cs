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

    /// <summary>Set: the attacker starts from a fresh head drawn from this seed as the certifier's attacks draw theirs
    /// (<see cref="Core.Attack.ClassifierHead.Initial"/>); null: from the meta-learned head h₀ that every rollout shares.</summary>
    public ulong? HeadSeed { get; init; }
}
