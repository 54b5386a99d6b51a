using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Numerics;

/// <summary>
/// Tensor-and-number arithmetic whose number reaches libtorch as a Scalar held until the call returns and freed right
/// after, never left to a finalizer (analyzer rule MLAC0001, src/MlacRelease.Analyzers).
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>t * 0.5</c>, <c>1 - t</c>, <c>t.pow(2)</c> and <c>t.clamp_min(1e-30)</c> each make a Scalar
/// that nothing references during the native call; the finalizer thread can free it while libtorch reads it. CI saw
/// "Unknown scalar type" and a test host that died without a message. Every method here computes exactly what
/// TorchSharp's own overload of the same shape computes (same operation, same Scalar type), so values and gradients
/// are bit-identical to the code they replace.
/// </remarks>
public static class HeldScalars
{
    /// <summary>t + v (TorchSharp: <c>t.add(v)</c>).</summary>
    public static Tensor Plus(this Tensor t, double v) { using var s = v.ToScalar(); return t.add(s); }

    /// <summary>t + v with an integer (a long Scalar).</summary>
    public static Tensor Plus(this Tensor t, long v) { using var s = v.ToScalar(); return t.add(s); }

    /// <summary>t + v with a single-precision number.</summary>
    public static Tensor Plus(this Tensor t, float v) { using var s = v.ToScalar(); return t.add(s); }

    /// <summary>t − v (TorchSharp: <c>t.sub(v)</c>).</summary>
    public static Tensor Minus(this Tensor t, double v) { using var s = v.ToScalar(); return t.sub(s); }

    /// <summary>t − v with a single-precision number.</summary>
    public static Tensor Minus(this Tensor t, float v) { using var s = v.ToScalar(); return t.sub(s); }

    /// <summary>t − v with an integer (a long Scalar, as TorchSharp's int overload makes).</summary>
    public static Tensor Minus(this Tensor t, long v) { using var s = v.ToScalar(); return t.sub(s); }

    /// <summary>t · v (TorchSharp: <c>t.mul(v)</c>, and <c>v * t</c> is <c>t.mul(v)</c> too).</summary>
    public static Tensor Times(this Tensor t, double v) { using var s = v.ToScalar(); return t.mul(s); }

    /// <summary>t · v with a single-precision number.</summary>
    public static Tensor Times(this Tensor t, float v) { using var s = v.ToScalar(); return t.mul(s); }

    /// <summary>t · v with an integer (a long Scalar, as TorchSharp's int overload makes).</summary>
    public static Tensor Times(this Tensor t, long v) { using var s = v.ToScalar(); return t.mul(s); }

    /// <summary>t / v (TorchSharp: <c>t.div(v)</c>).</summary>
    public static Tensor Over(this Tensor t, double v) { using var s = v.ToScalar(); return t.div(s); }

    /// <summary>t / v with a single-precision number.</summary>
    public static Tensor Over(this Tensor t, float v) { using var s = v.ToScalar(); return t.div(s); }

    /// <summary>t / v with an integer (a long Scalar).</summary>
    public static Tensor Over(this Tensor t, long v) { using var s = v.ToScalar(); return t.div(s); }

    /// <summary>v − t with an integer (a long Scalar, as TorchSharp's int overload makes).</summary>
    public static Tensor SubtractedFrom(this Tensor t, long v)
    {
        using var s = v.ToScalar();
        using var negative = t.negative();
        return negative.add(s);
    }

    /// <summary>v − t (TorchSharp: <c>t.negative().add(v)</c>).</summary>
    public static Tensor SubtractedFrom(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        using var negative = t.negative();
        return negative.add(s);
    }

    /// <summary>t % v (TorchSharp: <c>t.remainder(v)</c>).</summary>
    public static Tensor Modulo(this Tensor t, long v) { using var s = v.ToScalar(); return t.remainder(s); }

    /// <summary>t ** e with an integer exponent (TorchSharp: <c>t.pow(e)</c> with an int Scalar).</summary>
    public static Tensor Pow(this Tensor t, long e) { using var s = e.ToScalar(); return t.pow(s); }

    /// <summary>max(t, v) elementwise (<c>t.clamp_min(v)</c>).</summary>
    public static Tensor ClampMin(this Tensor t, double v) { using var s = v.ToScalar(); return t.clamp_min(s); }

    /// <summary>min(t, v) elementwise (<c>t.clamp_max(v)</c>).</summary>
    public static Tensor ClampMax(this Tensor t, double v) { using var s = v.ToScalar(); return t.clamp_max(s); }

    /// <summary>t clamped to [min, max] (<c>t.clamp(min, max)</c>).</summary>
    public static Tensor Clamp(this Tensor t, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return t.clamp(low, high);
    }

    /// <summary>t clamped to [min, max] with single-precision bounds.</summary>
    public static Tensor Clamp(this Tensor t, float min, float max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return t.clamp(low, high);
    }

    /// <summary>t &gt; v elementwise.</summary>
    public static Tensor Greater(this Tensor t, double v) { using var s = v.ToScalar(); return t.gt(s); }

    /// <summary>t == v elementwise (an integer Scalar).</summary>
    public static Tensor EqualTo(this Tensor t, long v) { using var s = v.ToScalar(); return t.eq(s); }

    /// <summary>The value of a one-element tensor (TorchSharp's <c>ToDouble()</c> reads it through an unheld Scalar).</summary>
    public static double Value(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToDouble();
    }

    /// <summary>The value of a one-element tensor as a single-precision number (TorchSharp's <c>ToSingle()</c>).</summary>
    public static float SingleValue(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToSingle();
    }

    /// <summary>The value of a one-element tensor as a long (TorchSharp's <c>ToInt64()</c>).</summary>
    public static long LongValue(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToInt64();
    }

    /// <summary>The value of a one-element boolean tensor (TorchSharp's <c>ToBoolean()</c>).</summary>
    public static bool BoolValue(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToBoolean();
    }

    /// <summary>0, 1, …, stop − 1 (<c>torch.arange(stop)</c>, which makes unheld Scalars of 0 and 1 inside TorchSharp).</summary>
    public static Tensor Arange(long stop, ScalarType? dtype = null, Device? device = null)
    {
        using var start = 0L.ToScalar();
        using var end = stop.ToScalar();
        using var step = 1L.ToScalar();
        return arange(start, end, step, dtype, device);
    }

    /// <summary>A tensor of the given shape filled with v (<c>torch.full</c>).</summary>
    public static Tensor Full(long[] shape, double v, ScalarType dtype, Device? device = null)
    {
        using var s = v.ToScalar();
        return full(shape, s, dtype, device);
    }

    /// <summary>Calls <paramref name="use"/> with v as a held Scalar, for the operations above do not name.</summary>
    public static Tensor With(double v, Func<Scalar, Tensor> use)
    {
        using var s = v.ToScalar();
        return use(s);
    }

    /// <summary><see cref="With(double, Func{Scalar, Tensor})"/> with a single-precision number.</summary>
    public static Tensor With(float v, Func<Scalar, Tensor> use)
    {
        using var s = v.ToScalar();
        return use(s);
    }
}
