using MlacRelease.Core.Numerics;
using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>Plain SGD, optionally with momentum, as a pure tensor function: torch.optim.SGD with dampening 0 and no
/// Nesterov (the first step's buffer is the gradient itself).</summary>
public sealed class DifferentiableSgd(double momentum = 0.0) : IInnerOptimizer
{
    /// <summary>The momentum the battery's <c>sgd_momentum</c> attacker uses (Certification's OptimizerFactory).</summary>
    public const double BatteryMomentum = 0.9;

    private readonly Dictionary<int, Tensor> _velocity = [];

    public IEnumerable<Tensor> StateTensors => _velocity.Values;

    public IEnumerable<(string Name, Tensor Tensor)> SavedState() => _velocity.OrderBy(kv => kv.Key).Select(kv => ($"b.{kv.Key}", kv.Value));

    public void LoadState(IReadOnlyDictionary<string, Tensor> saved)
    {
        _velocity.Clear();
        foreach (var (name, b) in saved) _velocity[InnerOptimizers.IndexOf(name, "b")] = b;
    }

    public IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate) =>
        InnerOptimizers.UpdatePresent(parameters, gradients, (i, p, g) =>
        {
            if (momentum > 0)
            {
                g = _velocity.TryGetValue(i, out var b) ? b.Times(momentum) + g : g;
                _velocity[i] = g;
            }
            return p - learningRate * g;
        });
}
