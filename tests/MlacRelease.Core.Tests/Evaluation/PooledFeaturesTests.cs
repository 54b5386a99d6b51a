using MlacRelease.Core.Evaluation;
using MlacRelease.Core.Model;
using MlacRelease.Core.Tests.Model;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Evaluation;

public sealed class PooledFeaturesTests
{
    private static List<EncodedExample> Examples()
    {
        var random = new Random(11);
        return Enumerable.Range(0, 23).Select(i =>
        {
            var length = random.Next(2, 10);
            var ids = Enumerable.Range(0, length).Select(_ => random.Next(1, TinyEncoder.Config.VocabSize)).ToArray();
            return new EncodedExample(ids, i % 3, i % 2);
        }).ToList();
    }

    [Fact]
    public void Rows_match_one_forward_per_example_in_the_callers_order()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config with { InitializerRange = 0.5 }, seed: 3, dtype: ScalarType.Float64);
        var examples = Examples();
        using var features = PooledFeatures.Compute(weights, examples, batchSize: 4);
        features.shape.Should().Equal(examples.Count, TinyEncoder.Config.HiddenSize);
        features.requires_grad.Should().BeFalse();
        for (var i = 0; i < examples.Count; i++)
        {
            using var single = PooledFeatures.Compute(weights, [examples[i]], batchSize: 1);
            (features[i] - single[0]).abs().max().item<double>().Should().BeLessThan(1e-12, $"row {i}");
        }
    }

    [Fact]
    public void Batch_size_does_not_change_the_features()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config with { InitializerRange = 0.5 }, seed: 4);
        var examples = Examples();
        using var a = PooledFeatures.Compute(weights, examples, batchSize: 1);
        using var b = PooledFeatures.Compute(weights, examples, batchSize: 64);
        (a - b).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Out_of_range_token_ids_are_rejected()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config, seed: 5);
        var act = () => PooledFeatures.Compute(weights, [new EncodedExample([1, 99], 0, 0)]);
        act.Should().Throw<ArgumentException>().WithMessage("*token id 99*");
    }
}
