using MlacRelease.Training.Erasure;

namespace MlacRelease.Training.Tests.Erasure;

/// <summary>The χ² tail against printed tables and the closed form at one degree of freedom; Benjamini–Hochberg against
/// its worked example.</summary>
public sealed class ErasureStatisticsTests
{
    [Theory]
    [InlineData(3.841459, 1, 0.05)]
    [InlineData(6.634897, 1, 0.01)]
    [InlineData(5.991465, 2, 0.05)]
    [InlineData(18.307038, 10, 0.05)]
    [InlineData(0.454936, 1, 0.5)]
    [InlineData(124.342113, 100, 0.05)]
    public void Upper_tail_matches_the_tables(double statistic, int df, double expected) =>
        ChiSquareTest.UpperTail(statistic, df).Should().BeApproximately(expected, 2e-6);

    [Theory]
    [InlineData(0.1, 0.7518296340458492)]
    [InlineData(2.0, 0.15729920705028513)]
    [InlineData(18.0, 2.2090496998585438e-05)]
    [InlineData(50.0, 1.5374597944280351e-12)]
    [InlineData(60.0, 9.485737571073843e-15)]
    public void One_degree_of_freedom_is_the_normal_tail(double statistic, double erfc)
    {
        // P(χ²₁ ≥ x) = P(|Z| ≥ √x) = erfc(√(x/2)); the values are CPython's math.erfc (C99 erfc), independent of the
        // gamma series and continued fraction under test, to 1e-12 relative even far in the tail.
        ChiSquareTest.UpperTail(statistic, 1).Should().BeApproximately(erfc, erfc * 1e-12);
    }

    [Fact]
    public void Statistic_is_pearsons() =>
        ChiSquareTest.Statistic([18, 0], [9, 9]).Should().BeApproximately(18, 1e-12);

    [Fact]
    public void Benjamini_hochberg_steps_up_to_the_largest_passing_rank()
    {
        // Sorted thresholds q·k/m = 0.00625, 0.0125, 0.01875, …: the first two pass, the third (0.039 > 0.01875) does not,
        // and no later rank passes, so exactly the two smallest are discoveries.
        double[] p = [0.039, 0.001, 0.041, 0.008, 0.042, 0.06, 0.074, 0.205];
        BenjaminiHochberg.Discoveries(p, 0.05).Should().Equal(false, true, false, true, false, false, false, false);
        // A later rank that passes carries every smaller p-value with it, including ones above their own threshold.
        BenjaminiHochberg.Discoveries([0.04, 0.03, 0.035, 0.05], 0.05).Should().Equal(true, true, true, true);
        BenjaminiHochberg.Discoveries([0.5, 0.9], 0.05).Should().Equal(false, false);
    }
}
