using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Trainer;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

public sealed class QuickAttackerTests
{
    /// <summary>Each layer's mean over an example's real tokens, whatever else is in its batch: batched with padding it
    /// equals the same example run alone, and the last layer's is the mean of the encoder's last hidden state.</summary>
    [Fact]
    public void Layer_means_are_each_layers_mean_over_real_tokens_whatever_the_batching()
    {
        using var scope = NewDisposeScope();
        using var weights = EncoderWeights.RandomInit(TinySetup.Config, seed: 5);
        var examples = TinySetup.Examples(seed: 6, size: 9);
        examples.Select(e => e.TokenIds.Length).Distinct().Should().HaveCountGreaterThan(1, "the batch must pad");
        var features = QuickAttacker.Features(weights, examples, layerMeans: true, batchSize: 64);
        var batched = features.LayerMeans;
        var alone = QuickAttacker.Features(weights, examples, layerMeans: true, batchSize: 1).LayerMeans;
        batched.Should().HaveCount((int)TinySetup.Config.NumHiddenLayers);
        for (var layer = 0; layer < batched.Count; layer++)
        {
            batched[layer].shape.Should().Equal(9, TinySetup.Config.HiddenSize);
            (batched[layer] - alone[layer]).abs().max().item<float>().Should().BeLessThan(1e-5f, $"layer {layer + 1}: padding must not count");
        }
        var first = LabeledBatch.Collate([examples[0]]);
        var (ids, mask, types) = first.Tokens.ToTensors(CPU);
        using var output = weights.Forward(ids, mask, types);
        (output.LastHiddenState.mean([1])[0] - batched[^1][0]).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (batched[0] - batched[^1]).abs().max().item<float>().Should().BeGreaterThan(1e-3f, "each layer is read, not the last one L times");
        features.Pooled.eq(QuickAttacker.PooledFeatures(weights, examples)).all().item<bool>().Should().BeTrue("the same forward pass gives the quick probe's pooled features");
        QuickAttacker.Features(weights, examples, layerMeans: false).LayerMeans.Should().BeEmpty();
    }
}
