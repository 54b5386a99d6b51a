using MlacRelease.Core.Numerics;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Evaluation;

/// <summary>Seeded Gaussian class blobs: class k is centred at <c>separation · e_k</c> (cycled over the features).</summary>
public static class ProbeData
{
    public static (Tensor Features, Tensor Labels) Blobs(int perClass, int classes, int features, double separation, long seed, double offset = 0, double featureScale = 1)
    {
        var generator = new Generator((ulong)seed, CPU);
        var n = perClass * classes;
        var labels = HeldScalars.Arange(n, ScalarType.Int64).Modulo(classes);
        var noise = randn([n, features], ScalarType.Float64, generator: generator);
        var centres = zeros(classes, features, ScalarType.Float64);
        for (var k = 0; k < classes; k++)
        {
            using var centre = tensor(separation * (1 + k / features));
            centres[k, k % features] = centre;
        }
        var x = (noise + centres.index_select(0, labels)).Times(featureScale).Plus(offset);
        return (x, labels);
    }
}
