using MlacRelease.Certification.Metrics;

namespace MlacRelease.Certification.Tests;

public sealed class BlockingUncertaintyTests
{
    /// <summary>
    /// Simulates what a certificate measures: per target, k attack seeds whose true accuracies vary, each scored on one
    /// test sample shared by the seeds (a run is right on example j when the example's difficulty u_j is below the
    /// run's accuracy, so the sample's luck is common to every seed). The spread of the blocking score over many
    /// such certificates is what the standard error, computed from one certificate's statistics, should predict.
    /// </summary>
    [Theory]
    [InlineData(3, 100, 0.05)]
    [InlineData(5, 160, 0.03)]
    [InlineData(3, 400, 0.08)]
    public void Standard_error_matches_the_spread_of_simulated_certificates(int seeds, int testExamples, double modelSeedSpread)
    {
        var random = new Random(1234);
        const int certificates = 6000;
        var scores = new double[certificates];
        var squaredErrors = new double[certificates];
        for (var i = 0; i < certificates; i++)
        {
            var pretrained = Target(random, 0.93, 0.02, seeds, testExamples);
            var model = Target(random, 0.56, modelSeedSpread, seeds, testExamples);
            var init = Target(random, 0.50, 0.01, seeds, testExamples);
            scores[i] = (pretrained.Mean - model.Mean) / (pretrained.Mean - init.Mean);
            var error = BlockingUncertainty.StandardError(model, pretrained, init, testExamples)!.Value;
            squaredErrors[i] = error * error;
        }

        var mean = scores.Average();
        var spread = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / (certificates - 1));
        var predicted = Math.Sqrt(squaredErrors.Average());
        predicted.Should().BeInRange(0.85 * spread, 1.25 * spread,
            $"the simulated blocking scores spread by {spread:0.0000} (mean {mean:0.000}); the error predicts {predicted:0.0000}");
    }

    [Fact]
    public void One_seed_counts_the_evaluation_sample_alone()
    {
        static SeedStatistics One(double accuracy) => new(1, accuracy, 0, accuracy, accuracy);
        // B = (P − M) / (P − R) with P = 0.9, M = R = 0.5 and 100 examples each: ∂B/∂M = −2.5, ∂B/∂P = 0, ∂B/∂R = 2.5.
        var error = BlockingUncertainty.StandardError(One(0.5), One(0.9), One(0.5), 100)!.Value;
        var expected = Math.Sqrt(2.5 * 2.5 * 0.25 / 100 + 0 + 2.5 * 2.5 * 0.25 / 100);
        error.Should().BeApproximately(expected, 1e-12);
        // The pretrained arm enters with weight (M − R) / gap², zero here; it matters once the model is partly broken.
        var partly = BlockingUncertainty.StandardError(One(0.7), One(0.9), One(0.5), 100)!.Value;
        partly.Should().BeApproximately(Math.Sqrt(6.25 * 0.21 / 100 + 1.5625 * 0.09 / 100 + 1.5625 * 0.25 / 100), 1e-12);
        BlockingUncertainty.StandardError(One(0.5), One(0.9), One(0.5), 400)!.Value.Should().BeApproximately(expected / 2, 1e-12,
            "four times the examples halve the binomial error");
    }

    [Fact]
    public void Seed_spread_adds_to_the_error_and_an_undefined_score_has_none()
    {
        var pretrained = new SeedStatistics(3, 0.9, 0.0, 0.9, 0.9);
        var init = new SeedStatistics(3, 0.5, 0.0, 0.5, 0.5);
        var steady = new SeedStatistics(3, 0.55, 0.0, 0.55, 0.55);
        var scattered = new SeedStatistics(3, 0.55, 0.08, 0.47, 0.63);
        var a = BlockingUncertainty.StandardError(steady, pretrained, init, 100)!.Value;
        var b = BlockingUncertainty.StandardError(scattered, pretrained, init, 100)!.Value;
        b.Should().BeGreaterThan(a);
        (b * b - a * a).Should().BeApproximately(0.08 * 0.08 / 3 / (0.4 * 0.4), 1e-12, "the seed variance of the mean, over gap²");

        var pScore = new TargetScore(Data.TargetRole.Pretrained, pretrained, null, pretrained, pretrained);
        var mScore = new TargetScore(Data.TargetRole.Model, steady, null, steady, steady);
        var rScore = new TargetScore(Data.TargetRole.RandomInit, init, null, init, init);
        BlockingUncertainty.StandardError(mScore, pScore, rScore, blockingScore: null, testExamples: 100).Should().BeNull();
        BlockingUncertainty.StandardError(mScore, pScore, rScore, blockingScore: 0.875, testExamples: 100).Should().BeApproximately(a, 1e-12);
        BlockingUncertainty.StandardError(steady, init, init, 100).Should().BeNull("no gap, no ratio");
    }

    private static SeedStatistics Target(Random random, double accuracy, double seedSpread, int seeds, int testExamples)
    {
        var difficulty = new double[testExamples];
        for (var j = 0; j < testExamples; j++) difficulty[j] = random.NextDouble();
        var readings = new List<double>(seeds);
        for (var s = 0; s < seeds; s++)
        {
            var truth = Math.Clamp(accuracy + seedSpread * Gaussian(random), 0, 1);
            readings.Add(difficulty.Count(u => u < truth) / (double)testExamples);
        }
        return SeedStatistics.Of(readings);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
