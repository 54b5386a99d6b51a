using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Model;

/// <summary>
/// normal(mean, std) initialisation with the values TorchSharp's <c>torch.normal</c> gives (randn · std + mean from the
/// same generator), but with its Scalars held until the operations return. TorchSharp converts mean and std to Scalars
/// it never disposes; a finalizer freed one mid-call in a CI run ("Unknown scalar type" from add_).
/// </summary>
public static class NormalInit
{
    public static Tensor Draw(double mean, double std, ReadOnlySpan<long> shape, ScalarType dtype, Generator generator)
    {
        var values = randn(shape, dtype: dtype, generator: generator);
        using var scale = std.ToScalar();
        using var shift = mean.ToScalar();
        return values.mul_(scale).add_(shift);
    }
}
