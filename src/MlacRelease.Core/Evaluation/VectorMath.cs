namespace MlacRelease.Core.Evaluation;

/// <summary>Dense float64 vector helpers for the probe's solvers. The solvers keep their state on the host: the vectors
/// are at most classes × (features + 1) long, and host arrays need no device-side memory management.</summary>
internal static class VectorMath
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    public static double MaxAbs(ReadOnlySpan<double> a)
    {
        var max = 0.0;
        foreach (var v in a) max = Math.Max(max, Math.Abs(v));
        return max;
    }

    public static double SumAbs(ReadOnlySpan<double> a)
    {
        var sum = 0.0;
        foreach (var v in a) sum += Math.Abs(v);
        return sum;
    }

    /// <summary>x + t·d as a new array.</summary>
    public static double[] AddScaled(ReadOnlySpan<double> x, double t, ReadOnlySpan<double> d)
    {
        var result = new double[x.Length];
        for (var i = 0; i < x.Length; i++) result[i] = x[i] + t * d[i];
        return result;
    }

    public static double[] Subtract(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var result = new double[a.Length];
        for (var i = 0; i < a.Length; i++) result[i] = a[i] - b[i];
        return result;
    }
}
