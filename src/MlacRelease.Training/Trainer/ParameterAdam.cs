using MlacRelease.Core.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// In-place Adam over named leaf tensors with global-norm gradient clipping, with state that is plain tensors so a
/// checkpoint can hold it exactly (bit-for-bit resume).
/// </summary>
public sealed class ParameterAdam(IReadOnlyList<(string Name, Tensor Tensor)> parameters, double learningRate, double clipNorm,
    double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IDisposable
{
    private readonly Tensor[] _m = parameters.Select(p => zeros_like(p.Tensor)).ToArray();
    private readonly Tensor[] _v = parameters.Select(p => zeros_like(p.Tensor)).ToArray();

    public long Steps { get; private set; }

    /// <summary>Applies one update; a null gradient counts as zero. Returns the pre-clip global norm.</summary>
    public double Step(IReadOnlyList<Tensor?> gradients)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var present = gradients.Where(g => g is not null && !g.IsInvalid).Select(g => g!.Pow(2).sum()).ToList();
        var norm = present.Count == 0 ? 0.0 : Math.Sqrt(stack(present).sum().Value());
        var scale = norm > clipNorm ? clipNorm / (norm + 1e-6) : 1.0;
        Steps++;
        var correction1 = 1 - Math.Pow(beta1, Steps);
        var correction2 = 1 - Math.Pow(beta2, Steps);
        using var firstDecay = beta1.ToScalar();
        using var firstWeight = (1 - beta1).ToScalar();
        using var secondDecay = beta2.ToScalar();
        using var secondWeight = (1 - beta2).ToScalar();
        using var stabiliser = epsilon.ToScalar();
        using var stepSize = (-learningRate / correction1).ToScalar();
        for (var i = 0; i < parameters.Count; i++)
        {
            var g = gradients[i] is { } grad && !grad.IsInvalid ? grad.Times(scale) : zeros_like(parameters[i].Tensor);
            _m[i].mul_(firstDecay).add_(g, alpha: firstWeight);
            _v[i].mul_(secondDecay).addcmul_(g, g, value: secondWeight);
            var denominator = _v[i].Over(correction2).sqrt_().add_(stabiliser);
            parameters[i].Tensor.addcdiv_(_m[i], denominator, value: stepSize);
        }
        return norm;
    }

    /// <summary>State tensors by name, for checkpoints ("m.&lt;param&gt;", "v.&lt;param&gt;").</summary>
    public IEnumerable<(string Name, Tensor Tensor)> State() =>
        parameters.SelectMany((p, i) => new[] { ($"m.{p.Name}", _m[i]), ($"v.{p.Name}", _v[i]) });

    public void Restore(IReadOnlyDictionary<string, Tensor> state, long steps, string source)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            foreach (var (prefix, target) in new[] { ("m.", _m[i]), ("v.", _v[i]) })
            {
                var name = prefix + parameters[i].Name;
                if (!state.TryGetValue(name, out var saved)) throw new MlacInputException($"{source}: optimiser state '{name}' is missing");
                if (!saved.shape.SequenceEqual(target.shape)) throw new MlacInputException($"{source}: optimiser state '{name}' has shape [{string.Join(", ", saved.shape)}], expected [{string.Join(", ", target.shape)}]");
                using (no_grad()) target.copy_(saved);
            }
        }
        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var t in _m.Concat(_v)) t.Dispose();
    }
}
