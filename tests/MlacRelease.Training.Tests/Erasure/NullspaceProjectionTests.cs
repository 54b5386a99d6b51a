using MlacRelease.Core.Data;
using MlacRelease.Training.Erasure;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests.Erasure;

/// <summary>INLP on rows whose label lives in a known subspace: the directions are orthonormal, span that subspace, and
/// removing them leaves a held-out probe near chance while the raw rows are read almost perfectly.</summary>
public sealed class NullspaceProjectionTests
{
    private const int Hidden = 24;

    /// <summary>Rows = noise + the label's sign along three fixed directions (each a different share of the signal),
    /// so one probe direction is not enough.</summary>
    internal static (Tensor Rows, long[] Labels, Tensor Planted) Rows(int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var planted = Orthonormal(3, seed + 1);
        var labels = Enumerable.Range(0, count).Select(i => (long)(i % 2)).ToArray();
        var data = new double[count * Hidden];
        for (var n = 0; n < count; n++)
        {
            var sign = labels[n] == 1 ? 1.0 : -1.0;
            var loadings = new[] { 1.0 * sign, 0.8 * sign * (random.NextDouble() < 0.8 ? 1 : -1), 0.6 * sign * (random.NextDouble() < 0.7 ? 1 : -1) };
            for (var h = 0; h < Hidden; h++)
            {
                var value = Gaussian(random) * 0.5;
                for (var k = 0; k < 3; k++) value += loadings[k] * planted[k, h].item<double>();
                data[n * Hidden + h] = value;
            }
        }
        return (tensor(data, [count, Hidden], ScalarType.Float64), labels, planted);
    }

    [Fact]
    public void Directions_are_orthonormal_and_lie_in_the_planted_subspace()
    {
        using var scope = NewDisposeScope();
        var (rows, labels, planted) = Rows(400, 7);
        var q = NullspaceProjection.FitDirections(rows, labels, 2, 3, 1e-2);
        q.shape.Should().Equal(3, Hidden);
        var gram = q.matmul(q.t());
        (gram - eye(3, dtype: ScalarType.Float64)).abs().max().item<double>().Should().BeLessThan(1e-9);
        // The first direction is the one a probe reads first: almost all of its weight lies in the planted span.
        var inSpan = planted.matmul(q[0]).norm().item<double>();
        inSpan.Should().BeGreaterThan(0.9);
    }

    [Fact]
    public void Removing_the_directions_takes_the_label_away_from_held_out_rows()
    {
        using var scope = NewDisposeScope();
        var (rows, labels, _) = Rows(400, 11);
        var accuracy = NullspaceProjection.HeldOutAccuracyByRank(rows, labels, 2, maxRank: 6, folds: 4, seed: 0, l2: 1e-2);
        accuracy.Should().HaveCount(7);
        accuracy[0].Should().BeGreaterThan(0.95);
        accuracy[6].Should().BeLessThan(0.65);
        accuracy[6].Should().BeLessThan(accuracy[1]);
    }

    [Fact]
    public void Labels_that_the_rows_do_not_carry_stay_near_chance_at_every_rank()
    {
        using var scope = NewDisposeScope();
        var (rows, _, _) = Rows(400, 13);
        var random = new DeterministicRandom(17);
        var noise = Enumerable.Range(0, 400).Select(_ => (long)random.NextInt(2)).ToArray();
        var accuracy = NullspaceProjection.HeldOutAccuracyByRank(rows, noise, 2, maxRank: 4, folds: 4, seed: 0, l2: 1e-2);
        accuracy.Should().OnlyContain(a => a > 0.35 && a < 0.65);
    }

    [Fact]
    public void Projection_leaves_rows_only_their_centres_place_along_the_directions()
    {
        using var scope = NewDisposeScope();
        var (rows, labels, _) = Rows(100, 5);
        var q = NullspaceProjection.FitDirections(rows, labels, 2, 2, 1e-2);
        var centre = rows.mean([0]);
        var projected = NullspaceProjection.Project(rows, q, centre);
        (projected - centre).matmul(q.t()).abs().max().item<double>().Should().BeLessThan(1e-10);
        // Orthogonal to the directions nothing moves.
        var rest = eye(Hidden, dtype: ScalarType.Float64) - q.t().matmul(q);
        (projected - rows).matmul(rest).abs().max().item<double>().Should().BeLessThan(1e-10);
    }

    [Fact]
    public void Fitting_is_deterministic()
    {
        using var scope = NewDisposeScope();
        var (rows, labels, _) = Rows(200, 9);
        var a = NullspaceProjection.FitDirections(rows, labels, 2, 3, 1e-2);
        var b = NullspaceProjection.FitDirections(rows, labels, 2, 3, 1e-2);
        a.eq(b).all().item<bool>().Should().BeTrue();
    }

    private static Tensor Orthonormal(int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var m = tensor(Enumerable.Range(0, count * Hidden).Select(_ => Gaussian(random)).ToArray(), [Hidden, count], ScalarType.Float64);
        var (q, _) = linalg.qr(m);
        return q.t().contiguous();
    }

    private static double Gaussian(DeterministicRandom random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
