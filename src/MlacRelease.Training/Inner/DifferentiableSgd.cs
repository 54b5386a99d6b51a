using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>Plain SGD, optionally with momentum, as a pure tensor function.</summary>
public sealed class DifferentiableSgd(double momentum = 0.0) : IInnerOptimizer
{
    private readonly Dictionary<int, Tensor> _velocity = [];

    public IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate) =>
        InnerOptimizers.UpdatePresent(parameters, gradients, (i, p, g) =>
        {
            if (momentum > 0)
            {
                g = _velocity.TryGetValue(i, out var b) ? momentum * b + g : g;
                _velocity[i] = g;
            }
            return p - learningRate * g;
        });
}
