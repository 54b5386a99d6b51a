using MlacRelease.Core.Numerics;
using TorchSharp;
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
    private readonly Dictionary<int, (Tensor M, Tensor V, int Steps)> _state = [];

    public IEnumerable<Tensor> StateTensors => _state.Values.SelectMany(s => new[] { s.M, s.V });

    public IEnumerable<(string Name, Tensor Tensor)> SavedState() => InnerOptimizers.SaveAdam(_state);

    public void LoadState(IReadOnlyDictionary<string, Tensor> saved) => InnerOptimizers.LoadAdam(saved, _state);

    public IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate)
    {
        var stepSizes = new Dictionary<int, Tensor>();
        using var firstWeight = (1 - beta1).ToScalar();
        // lerp takes its weight as a tensor: the 0-dim float64 one TorchSharp's implicit conversion made before.
        using var firstWeightTensor = tensor(1 - beta1);
        using var secondDecay = beta2.ToScalar();
        using var secondWeight = (1 - beta2).ToScalar();
        return InnerOptimizers.UpdatePresent(parameters, gradients, (i, p, g) =>
        {
            Tensor m, v;
            int steps;
            if (_state.TryGetValue(i, out var s))
            {
                steps = s.Steps + 1;
                m = s.M.lerp(g, firstWeightTensor);
                v = s.V.mul(secondDecay).addcmul(g, g, secondWeight);
            }
            else
            {
                // From zero moments, as torch.optim.Adam starts: lerp(0, g, w) = w·g and 0·β₂ + (1 − β₂)·g·g.
                steps = 1;
                m = g.mul(firstWeight);
                v = g.mul(g).mul(secondWeight);
            }
            _state[i] = (m, v, steps);
            var denominator = v.ClampMin(InnerOptimizers.AdamVarianceFloor).sqrt().Over(Math.Sqrt(1 - Math.Pow(beta2, steps))).Plus(epsilon);
            if (!stepSizes.TryGetValue(steps, out var stepSize))
            {
                stepSize = learningRate.Over(1 - Math.Pow(beta1, steps));
                stepSizes[steps] = stepSize;
            }
            return p - stepSize * m.div(denominator);
        });
    }
}
