using MlacRelease.Core.Numerics;
using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>
/// Adam written out as the paper's formulas, one tensor op per symbol (fifteen per parameter tensor). Kept as the
/// naive baseline the training-step benchmark compares against; <see cref="DifferentiableAdam"/> computes the same
/// update in ten ops.
/// </summary>
public sealed class TextbookAdam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IInnerOptimizer
{
    private readonly Dictionary<int, (Tensor M, Tensor V, int Steps)> _state = [];

    public IEnumerable<Tensor> StateTensors => _state.Values.SelectMany(s => new[] { s.M, s.V });

    public IEnumerable<(string Name, Tensor Tensor)> SavedState() => InnerOptimizers.SaveAdam(_state);

    public void LoadState(IReadOnlyDictionary<string, Tensor> saved) => InnerOptimizers.LoadAdam(saved, _state);

    public IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate) =>
        InnerOptimizers.UpdatePresent(parameters, gradients, (i, p, g) =>
        {
            var (m, v, steps) = _state.TryGetValue(i, out var s) ? s : (zeros_like(g), zeros_like(g), 0);
            steps++;
            m = m.Times(beta1) + g.Times(1 - beta1);
            v = v.Times(beta2) + g.Times(1 - beta2) * g;
            _state[i] = (m, v, steps);
            var mHat = m.Over(1 - Math.Pow(beta1, steps));
            var vHat = v.Over(1 - Math.Pow(beta2, steps));
            return p - learningRate * mHat / vHat.ClampMin(InnerOptimizers.AdamVarianceFloor).sqrt().Plus(epsilon);
        });
}
