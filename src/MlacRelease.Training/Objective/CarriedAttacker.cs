using MlacRelease.Training.Inner;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// A LoRA attacker that outlives its rollout: its adapters and head (<see cref="Phi"/>, in <see cref="LoraFastWeights"/>
/// order), its optimiser's moments and the draw that made it, after <see cref="StepsTaken"/> inner steps in all.
/// The next long LoRA rollout continues it on the encoder as the outer step left it, so over a few outer steps the
/// simulated attacker runs as long as the battery's 500-step LoRA attacks at the cost of 32-step rollouts.
/// </summary>
public sealed class CarriedAttacker(LoraRollout lora, AttackerDraw? draw, IReadOnlyList<Tensor> phi, IInnerOptimizer optimizer, int stepsTaken) : IDisposable
{
    public LoraRollout Lora { get; } = lora;

    /// <summary>The realistic mix's draw (optimiser, learning rate, clip); null for the options' fixed attacker.</summary>
    public AttackerDraw? Draw { get; } = draw;

    public IReadOnlyList<Tensor> Phi { get; } = phi;

    public IInnerOptimizer Optimizer { get; } = optimizer;

    public int StepsTaken { get; } = stepsTaken;

    public void Dispose()
    {
        foreach (var t in Phi.Concat(Optimizer.StateTensors)) t.Dispose();
    }
}
