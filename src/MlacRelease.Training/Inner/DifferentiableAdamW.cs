using MlacRelease.Core.Numerics;
using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>
/// AdamW (Loshchilov and Hutter) as a pure tensor function, as torch.optim.AdamW computes it: the parameter is first
/// decayed by (1 − lr·λ), decoupled from the moments, then takes the Adam step of <see cref="DifferentiableAdam"/>.
/// Parameters without a gradient (head-only steps) are neither decayed nor stepped, as torch.optim skips them.
/// </summary>
public sealed class DifferentiableAdamW(double weightDecay = DifferentiableAdamW.DefaultWeightDecay) : IInnerOptimizer
{
    /// <summary>torch.optim.AdamW's default, and the battery's retention fine-tune's.</summary>
    public const double DefaultWeightDecay = 0.01;

    private readonly DifferentiableAdam _adam = new();

    public IEnumerable<Tensor> StateTensors => _adam.StateTensors;

    public IEnumerable<(string Name, Tensor Tensor)> SavedState() => _adam.SavedState();

    public void LoadState(IReadOnlyDictionary<string, Tensor> saved) => _adam.LoadState(saved);

    public IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate)
    {
        var keep = learningRate.Times(weightDecay).neg().Plus(1);
        var decayed = InnerOptimizers.UpdatePresent(parameters, gradients, (_, p, _) => p * keep);
        return _adam.Step(decayed, gradients, learningRate);
    }
}
