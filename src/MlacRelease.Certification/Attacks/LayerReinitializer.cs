using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// Re-initialises the top k encoder layers and the pooler in place, as Hugging Face initialises a fresh BERT:
/// weights normal(0, initializer_range), biases zero, LayerNorm weight one and bias zero. An attacker does this to
/// discard whatever the defence stored in the top of the network and keep the lower layers' features.
/// </summary>
internal static class LayerReinitializer
{
    public static IReadOnlyList<string> Reinitialize(EncoderConfig config, IReadOnlyDictionary<string, Tensor> tensors, int layers, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        var count = Math.Min(layers, config.NumHiddenLayers);
        var first = config.NumHiddenLayers - count;
        var names = tensors.Keys
            .Where(n => n.StartsWith("pooler.", StringComparison.Ordinal)
                || Enumerable.Range(first, count).Any(l => n.StartsWith($"encoder.layer.{l}.", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var generator = new Generator(seed, CPU);
        using var noGrad = no_grad();
        foreach (var name in names)
        {
            var t = tensors[name];
            if (name.Contains("LayerNorm.weight", StringComparison.Ordinal)) t.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) t.zero_();
            else
            {
                using var fresh = normal(0, config.InitializerRange, t.shape, ScalarType.Float32, generator: generator);
                t.copy_(fresh);
            }
        }
        return names;
    }
}
