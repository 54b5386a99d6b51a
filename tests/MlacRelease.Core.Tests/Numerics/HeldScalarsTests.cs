using MlacRelease.Core.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Numerics;

/// <summary>
/// Each held-Scalar operation gives, bit for bit, what the TorchSharp expression it replaced gives: the swap to them
/// must not move a digest, a resumed run or a cached baseline.
/// </summary>
public sealed class HeldScalarsTests
{
    // The references are the implicit forms MLAC0001 forbids elsewhere: they are what is being matched.
#pragma warning disable MLAC0001
    public static TheoryData<string, Func<Tensor, Tensor>, Func<Tensor, Tensor>> Pairs() => new()
    {
        { "t * 0.37", t => t.Times(0.37), t => t * 0.37 },
        { "0.37 * t", t => t.Times(0.37), t => 0.37 * t },
        { "t * 0.2f", t => t.Times(0.2f), t => t * 0.2f },
        { "t * 2", t => t.Times(2), t => t * 2 },
        { "t + 1e-6", t => t.Plus(1e-6), t => t + 1e-6 },
        { "1.0 + t", t => t.Plus(1.0), t => 1.0 + t },
        { "t + 0.3f", t => t.Plus(0.3f), t => t + 0.3f },
        { "t - 0.3", t => t.Minus(0.3), t => t - 0.3 },
        { "t - 3", t => t.Minus(3), t => t - 3 },
        { "t - 0.3f", t => t.Minus(0.3f), t => t - 0.3f },
        { "1.0 - t", t => t.SubtractedFrom(1.0), t => 1.0 - t },
        { "1 - t", t => t.SubtractedFrom(1), t => 1 - t },
        { "arange(5)", t => HeldScalars.Arange(5, t.dtype), t => arange(5, t.dtype) },
        { "arange(5), integral", t => HeldScalars.Arange(5), t => arange(5) },
        { "t / 3.7", t => t.Over(3.7), t => t / 3.7 },
        { "t / 3", t => t.Over(3), t => t / 3 },
        { "t / 3.7f", t => t.Over(3.7f), t => t / 3.7f },
        { "t.pow(3)", t => t.Pow(3), t => t.pow(3) },
        { "t.clamp_min(0.1)", t => t.ClampMin(0.1), t => t.clamp_min(0.1) },
        { "t.clamp_max(0.1)", t => t.ClampMax(0.1), t => t.clamp_max(0.1) },
        { "t.clamp(-0.5, 0.5)", t => t.Clamp(-0.5, 0.5), t => t.clamp(-0.5, 0.5) },
        { "t.clamp(-0.5f, 0.5f)", t => t.Clamp(-0.5f, 0.5f), t => t.clamp(-0.5f, 0.5f) },
        { "t > 0.1", t => t.Greater(0.1), t => t > 0.1 },
        { "(t * 4).round() % 3", t => t.Times(4).round().Modulo(3), t => (t * 4).round() % 3 },
        { "t.round() == 0", t => t.round().EqualTo(0), t => t.round().eq(0) },
        { "full(shape, 0.7)", t => HeldScalars.Full(t.shape, 0.7, t.dtype), t => full(t.shape, 0.7, t.dtype) },
        { "masked_fill(-inf)", t => HeldScalars.With(double.NegativeInfinity, s => t.masked_fill(t.gt(0), s)), t => t.masked_fill(t.gt(0), double.NegativeInfinity) },
    };
#pragma warning restore MLAC0001

    [Theory]
    [MemberData(nameof(Pairs))]
    public void The_held_form_equals_the_implicit_one_bit_for_bit(string name, Func<Tensor, Tensor> held, Func<Tensor, Tensor> implicitForm)
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var scope = NewDisposeScope();
            var t = randn([7, 5], dtype: dtype, generator: new Generator(11, CPU));
            var expected = implicitForm(t);
            var actual = held(t);
            actual.dtype.Should().Be(expected.dtype, name);
            actual.shape.Should().Equal(expected.shape, name);
            actual.eq(expected).all().item<bool>().Should().BeTrue($"{name} at {dtype}");
        }
    }

    [Fact]
    public void Reading_a_value_gives_what_the_tensor_holds()
    {
        using var scope = NewDisposeScope();
        var t = randn([6], dtype: ScalarType.Float64, generator: new Generator(5, CPU));
#pragma warning disable MLAC0001
        t.sum().Value().Should().Be(t.sum().ToDouble());
        t.max().to(ScalarType.Float32).SingleValue().Should().Be(t.max().to(ScalarType.Float32).ToSingle());
#pragma warning restore MLAC0001
        t.sum().Value().Should().Be(t.sum().item<double>());
        HeldScalars.Arange(7).sum().LongValue().Should().Be(21);
        t.Greater(100).any().BoolValue().Should().BeFalse();
        t.Greater(-100).all().BoolValue().Should().BeTrue();
    }

    [Fact]
    public void The_held_forms_carry_the_same_gradient()
    {
        using var scope = NewDisposeScope();
        var x = randn([4, 3], dtype: ScalarType.Float64, generator: new Generator(3, CPU)).requires_grad_(true);
        var heldLoss = x.Times(0.3).Plus(1.0).Pow(3).ClampMin(0.5).SubtractedFrom(2.0).Over(7.0).sum();
#pragma warning disable MLAC0001
        var implicitLoss = (2.0 - ((x * 0.3 + 1.0).pow(3)).clamp_min(0.5)) / 7.0;
#pragma warning restore MLAC0001
        var heldGrad = autograd.grad([heldLoss], [x])[0];
        var implicitGrad = autograd.grad([implicitLoss.sum()], [x])[0];
        heldGrad.eq(implicitGrad).all().item<bool>().Should().BeTrue();
        heldGrad.abs().sum().Value().Should().BeGreaterThan(0, "the comparison must be of a gradient that is there");
    }
}
