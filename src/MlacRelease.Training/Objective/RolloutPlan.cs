using MlacRelease.Core.Text;

namespace MlacRelease.Training.Objective;

/// <summary>The data of one outer step: the outer batch B, one attacker batch per inner step, and which inner steps
/// update the head only; with <paramref name="Lora"/>, the attacker fine-tunes LoRA adapters instead of all weights.
/// Drawn by the trainer from its seeded generator, so a step is reproducible from its plan.</summary>
public sealed record RolloutPlan(LabeledBatch Outer, IReadOnlyList<LabeledBatch> Inner, IReadOnlyList<bool> HeadOnly, LoraRollout? Lora = null)
{
    public int InnerSteps => Inner.Count;

    /// <summary>The attacker drawn from the realistic mix; null: the options' fixed attacker (inner optimiser,
    /// meta-learned α, or the LoRA rollout's own learning rate).</summary>
    public AttackerDraw? Attacker { get; init; }

    /// <summary>Set: a first-order long-horizon rollout (<see cref="LongHorizonObjective"/>) whose suppression losses are
    /// taken after every M-th inner step (and at k = 0 and k = K); null: the differentiable short rollout.</summary>
    public int? SuppressionEvery { get; init; }

    /// <summary>Set: a long LoRA rollout whose attacker is carried across outer steps (<see cref="AttackerCarry"/>), with
    /// the inner steps it had taken before this rollout (0 = it starts here); null: the attacker starts fresh and ends
    /// with the rollout.</summary>
    public int? CarriedSteps { get; init; }

    /// <summary>True: the sampler chose this long LoRA rollout to carry its attacker (<see cref="AttackerCarry"/>); the
    /// other LoRA rollouts start fresh even while carrying is on (<see cref="Trainer.LongHorizonOptions.CarriedLoraShare"/>).</summary>
    public bool Carries { get; init; }
}
