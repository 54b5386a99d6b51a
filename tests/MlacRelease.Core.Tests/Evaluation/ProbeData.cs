using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Evaluation;

/// <summary>Seeded Gaussian class blobs: class k is centred at <c>separation · e_k</c> (cycled over the features).</summary>
public static class ProbeData
{
    public static (Tensor Features, Tensor Labels) Blobs(int perClass, int classes, int features, double separation, long seed, double offset = 0, double featureScale = 1)
    {
        var generator = new Generator((ulong)seed, CPU);
        var n = perClass * classes;
        var labels = arange(n, ScalarType.Int64) % classes;
        var noise = randn([n, features], ScalarType.Float64, generator: generator);
        var centres = zeros(classes, features, ScalarType.Float64);
        for (var k = 0; k < classes; k++) centres[k, k % features] = separation * (1 + k / features);
        var x = (noise + centres.index_select(0, labels)) * featureScale + offset;
        return (x, labels);
    }
}
