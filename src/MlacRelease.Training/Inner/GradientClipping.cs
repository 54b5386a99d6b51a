using MlacRelease.Core.Numerics;
using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

public static class GradientClipping
{
    /// <summary>
    /// Scales the gradients so their global L2 norm is at most <paramref name="maxNorm"/>, as
    /// torch.nn.utils.clip_grad_norm_ does, but out of place so the scaling stays differentiable. Returns the pre-clip
    /// norm as a tensor (no host sync: the caller reads it once per step).
    /// </summary>
    public static (IReadOnlyList<Tensor?> Clipped, Tensor Norm) ClipByGlobalNorm(IReadOnlyList<Tensor?> gradients, double maxNorm)
    {
        var present = gradients.Where(g => g is not null).Select(g => g!.Pow(2).sum()).ToList();
        if (present.Count == 0) throw new ArgumentException("no gradients to clip");
        // Clamped before the square root for the same reason as Adam's variance: a zero norm must not give NaN.
        var norm = stack(present).sum().ClampMin(1e-30).sqrt();
        var scale = norm.Plus(1e-6).reciprocal().Times(maxNorm).ClampMax(1.0);
        return (gradients.Select(g => g is null ? null : g * scale).ToList(), norm);
    }
}
