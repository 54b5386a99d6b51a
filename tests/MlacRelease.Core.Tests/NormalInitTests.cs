// These tests hold our code to TorchSharp's own torch.optim and torch.normal, the APIs MLAC0002 keeps out of src/.
#pragma warning disable MLAC0002
using MlacRelease.Tests.Shared;
using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests;

/// <summary>NormalInit replaces torch.normal (whose undisposed Scalars a finalizer freed mid-call once) without
/// changing a single value: random-init twins, heads and re-initialised layers, and the digests and cache keys made
/// from them, stay what they were.</summary>
public sealed class NormalInitTests
{
    [Theory]
    [InlineData(0.0, 0.02, ScalarType.Float32)]
    [InlineData(0.0, 0.01, ScalarType.Float64)]
    [InlineData(1.5, 3.0, ScalarType.Float32)]
    public void Draws_exactly_what_torch_normal_draws_from_the_same_generator(double mean, double std, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        long[] shape = [37, 19];
        var ours = NormalInit.Draw(mean, std, shape, dtype, new Generator(42, CPU));
        var theirs = NoCollection.Run(() => normal(mean, std, shape, dtype, generator: new Generator(42, CPU)));
        ours.dtype.Should().Be(dtype);
        ours.shape.Should().Equal(shape);
        ours.allclose(theirs, rtol: 0, atol: 0).Should().BeTrue("the same randn values, scaled and shifted by the same operations");
        NormalInit.Draw(mean, std, shape, dtype, new Generator(43, CPU)).allclose(theirs, rtol: 0, atol: 0).Should().BeFalse("another seed draws other values");
        ((double)ours.std().Value()).Should().BeApproximately(std, std * 0.15);
    }
}
