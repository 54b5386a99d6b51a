using MlacRelease.Core.Attack;

namespace MlacRelease.Training.Objective;

/// <summary>
/// A rollout whose simulated attacker fine-tunes LoRA adapters (rank <paramref name="Rank"/>, scale α/r) on every
/// attention and feed-forward projection instead of all weights, at a fixed <paramref name="LearningRate"/>. LoRA
/// explores directions full fine-tuning at a small learning rate does not (it got through a model trained against
/// full fine-tuning alone), so a defence should see it in training. <paramref name="Seed"/> draws the A matrices.
/// </summary>
public sealed record LoraRollout(int Rank, double Alpha, double LearningRate, ulong Seed)
{
    public double Scale => LoraAdapter.Scaling(Alpha, Rank);
}
