namespace MlacRelease.Training.Trainer;

/// <summary>
/// First-order long-horizon rollouts (<see cref="Objective.LongHorizonObjective"/>): the simulated attacker runs
/// <see cref="Steps"/> first-order inner steps, as long as real attacks run, at about the cost of that many plain
/// fine-tuning steps, and the suppression loss is taken every <see cref="SuppressionEvery"/> steps. A share
/// <see cref="Fraction"/> of the rollouts is long; the rest are the differentiable short rollouts of K =
/// <see cref="MlacTrainingOptions.InnerSteps"/>.
/// </summary>
public sealed record LongHorizonOptions
{
    /// <summary>K of a long rollout (TAR: 64).</summary>
    public int Steps { get; init; } = 32;

    /// <summary>M: the suppression loss is taken at k = 0, M, 2M, …, K (TAR: every 4th step).</summary>
    public int SuppressionEvery { get; init; } = 4;

    /// <summary>The share of rollouts that are long, drawn per rollout; 1 = every rollout.</summary>
    public double Fraction { get; init; } = 1;

    /// <summary>Set (> 0): a LoRA attacker is carried from one long rollout to the next (<see cref="Objective.AttackerCarry"/>)
    /// until it has taken this many inner steps, and every LoRA rollout chosen to carry (<see cref="CarriedLoraShare"/>) is
    /// a long one; 0: each rollout's attacker starts fresh (runs from before this setting existed).</summary>
    public int CarriedLoraSteps { get; init; }

    /// <summary>With carrying on, the share of LoRA rollouts, drawn per rollout, that continue the carried attacker; the
    /// others start a fresh one and are long or short as <see cref="Fraction"/> draws them. 1 (every LoRA rollout carries)
    /// met only 4 fresh LoRA attackers in 100 steps (issue 11 arm A5), so the block landed on those attackers alone.</summary>
    public double CarriedLoraShare { get; init; } = 1;

    /// <summary>Set (> 0): every rollout whose drawn attacker re-initialises the top layers is long, with this K instead of
    /// <see cref="Steps"/>; 0: such rollouts are long or short as <see cref="Fraction"/> draws, like the others (runs from
    /// before this setting existed).</summary>
    /// <remarks>Why: on the trained model the re-initialisation attacks that break it on the `long` battery (full
    /// fine-tuning after a fresh top layer at lr 1e-4 to 4e-4) are still at chance after 33 steps and reach 85–96 % only
    /// by step 100 (issue 11, session 12). A 32-step simulated one never gets there, so its suppression terms carry no
    /// signal.</remarks>
    public int ReinitSteps { get; init; }
}
