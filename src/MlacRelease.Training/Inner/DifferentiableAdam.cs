using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>
/// Adam (Kingma and Ba) as a pure tensor function, computed as torch.optim.Adam computes it (lerp for the first moment,
/// addcmul for the second, bias corrections folded into the step size and the denominator).
/// </summary>
/// <remarks>
/// Every op here is recorded once per parameter tensor, per inner step, and is then differentiated twice; at small
/// widths (BERT-tiny: 40 tensors, K = 16) the op count, not the arithmetic, is the cost. Hence ten ops per tensor
/// (the textbook form takes fifteen) and one learning-rate tensor op per step count instead of one per tensor.
/// </remarks>
public sealed class DifferentiableAdam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IInnerOptimizer
{
    // sqrt has an infinite derivative at 0, and a parameter whose gradient is exactly zero (a key bias, an unused
    // embedding row) has v = 0: its second-order term would be 0·∞ = NaN. Clamping v below at a value whose square
    // root is far under ε changes the update by < 1e-12 relative and makes that derivative 0, as it should be.
    private const double VarianceFloor = 1e-30;

    private readonly Dictionary<int, (Tensor M, Tensor V, int Steps)> _state = [];

    public IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate)
    {
        var updated = new Tensor[parameters.Count];
        var stepSizes = new Dictionary<int, Tensor>();
        for (var i = 0; i < parameters.Count; i++)
        {
            var g = gradients[i];
            if (g is null)
            {
                updated[i] = parameters[i];
                continue;
            }
            Tensor m, v;
            int steps;
            if (_state.TryGetValue(i, out var s))
            {
                steps = s.Steps + 1;
                m = s.M.lerp(g, 1 - beta1);
                v = s.V.mul(beta2).addcmul(g, g, 1 - beta2);
            }
            else
            {
                // From zero moments, as torch.optim.Adam starts: lerp(0, g, w) = w·g and 0·β₂ + (1 − β₂)·g·g.
                steps = 1;
                m = g.mul(1 - beta1);
                v = g.mul(g).mul(1 - beta2);
            }
            _state[i] = (m, v, steps);
            var denominator = v.clamp_min(VarianceFloor).sqrt().div(Math.Sqrt(1 - Math.Pow(beta2, steps))).add(epsilon);
            if (!stepSizes.TryGetValue(steps, out var stepSize))
            {
                stepSize = learningRate.div(1 - Math.Pow(beta1, steps));
                stepSizes[steps] = stepSize;
            }
            updated[i] = parameters[i] - stepSize * m.div(denominator);
        }
        return updated;
    }
}
