namespace MlacRelease.Training.Erasure;

/// <summary>Pearson's goodness-of-fit test: its statistic and its upper-tail probability.</summary>
public static class ChiSquareTest
{
    /// <summary>Σ (o − e)² / e over the cells with a positive expectation.</summary>
    public static double Statistic(IReadOnlyList<double> observed, IReadOnlyList<double> expected)
    {
        if (observed.Count != expected.Count) throw new ArgumentException($"observed and expected need the same number of cells, got {observed.Count} and {expected.Count}");
        var sum = 0.0;
        for (var i = 0; i < observed.Count; i++)
            if (expected[i] > 0) sum += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        return sum;
    }

    /// <summary>P(X ≥ <paramref name="statistic"/>) for X ~ χ² with <paramref name="degreesOfFreedom"/>: Q(df/2, x/2).</summary>
    public static double UpperTail(double statistic, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (double.IsNaN(statistic)) throw new ArgumentException("the statistic is NaN", nameof(statistic));
        return statistic <= 0 ? 1.0 : RegularizedUpperGamma(degreesOfFreedom / 2.0, statistic / 2.0);
    }

    // Q(a, x) = Γ(a, x) / Γ(a): the series for P below a + 1, Lentz's continued fraction above (Numerical Recipes §6.2),
    // both to about 1e-15 relative, which is far below any threshold a multiple-testing correction uses.
    internal static double RegularizedUpperGamma(double a, double x)
    {
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (var n = 1; n < 10_000 && Math.Abs(term) > Math.Abs(sum) * 1e-16; n++)
            {
                term *= x / (a + n);
                sum += term;
            }
            return Math.Max(0, 1 - sum * Math.Exp(-x + a * Math.Log(x) - LogGamma(a)));
        }
        const double Tiny = 1e-300;
        double b = x + 1 - a, c = 1 / Tiny, d = 1 / b, h = d;
        for (var i = 1; i < 10_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = b + an / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15) break;
        }
        return Math.Exp(-x + a * Math.Log(x) - LogGamma(a)) * h;
    }

    /// <summary>ln Γ(z) for z &gt; 0 (Lanczos, g = 7, n = 9: about 15 significant digits).</summary>
    internal static double LogGamma(double z)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (z < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * z))) - LogGamma(1 - z);
        z -= 1;
        var x = g[0];
        for (var i = 1; i < g.Length; i++) x += g[i] / (z + i);
        var t = z + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (z + 0.5) * Math.Log(t) - t + Math.Log(x);
    }
}
