using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>
/// Adam written out as the paper's formulas, one tensor op per symbol (fifteen per parameter tensor). Kept as the
/// naive baseline the training-step benchmark compares against; <see cref="DifferentiableAdam"/> computes the same
/// update in ten ops.
/// </summary>
public sealed class TextbookAdam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IInnerOptimizer
{
    // sqrt has an infinite derivative at 0, and a parameter whose gradient is exactly zero (a key bias, an unused
    // embedding row) has v = 0: its second-order term would be 0·∞ = NaN. Clamping v below at a value whose square
    // root is far under ε changes the update by < 1e-12 relative and makes that derivative 0, as it should be.
    private const double VarianceFloor = 1e-30;

    private readonly Dictionary<int, (Tensor M, Tensor V, int Steps)> _state = [];

    public IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate)
    {
        var updated = new Tensor[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            var g = gradients[i];
            if (g is null)
            {
                updated[i] = parameters[i];
                continue;
            }
            var (m, v, steps) = _state.TryGetValue(i, out var s) ? s : (zeros_like(g), zeros_like(g), 0);
            steps++;
            m = beta1 * m + (1 - beta1) * g;
            v = beta2 * v + (1 - beta2) * g * g;
            _state[i] = (m, v, steps);
            var mHat = m / (1 - Math.Pow(beta1, steps));
            var vHat = v / (1 - Math.Pow(beta2, steps));
            updated[i] = parameters[i] - learningRate * mHat / (vHat.clamp_min(VarianceFloor).sqrt() + epsilon);
        }
        return updated;
    }
}
