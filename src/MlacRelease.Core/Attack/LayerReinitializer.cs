using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Core.Attack;

/// <summary>
/// Re-initialisation of the top k encoder layers and the pooler, as Hugging Face initialises a fresh BERT: weights
/// normal(0, initializer_range), biases zero, LayerNorm weight one and bias zero. An attacker does this to discard
/// whatever the defence stored in the top of the network and keep the lower layers' features. The certifier's attack
/// and the trainer's simulated one both draw here, so for one seed they start from the same weights.
/// </summary>
public static class LayerReinitializer
{
    /// <summary>The parameter names a re-initialisation of the top <paramref name="layers"/> layers replaces, in the
    /// ordinal order their values are drawn in.</summary>
    public static IReadOnlyList<string> Targets(EncoderConfig config, IEnumerable<string> names, int layers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        var count = Math.Min(layers, config.NumHiddenLayers);
        var first = config.NumHiddenLayers - count;
        return names
            .Where(n => n.StartsWith("pooler.", StringComparison.Ordinal)
                || Enumerable.Range(first, count).Any(l => n.StartsWith($"encoder.layer.{l}.", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Fresh values for <see cref="Targets"/>, drawn on the CPU from one generator seeded with
    /// <paramref name="seed"/> (device-independent), as float32 on the CPU; name → tensor, shapes from
    /// <paramref name="shapes"/>.</summary>
    public static Dictionary<string, Tensor> Fresh(EncoderConfig config, IReadOnlyDictionary<string, long[]> shapes, int layers, ulong seed)
    {
        var generator = new Generator(seed, CPU);
        var fresh = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var name in Targets(config, shapes.Keys, layers))
        {
            var shape = shapes[name];
            fresh[name] = name.Contains("LayerNorm.weight", StringComparison.Ordinal) ? ones(shape, ScalarType.Float32)
                : name.EndsWith(".bias", StringComparison.Ordinal) ? zeros(shape, ScalarType.Float32)
                : NormalInit.Draw(0, config.InitializerRange, shape, ScalarType.Float32, generator);
        }
        return fresh;
    }

    /// <summary>Re-initialises the targets in place; returns their names.</summary>
    public static IReadOnlyList<string> Reinitialize(EncoderConfig config, IReadOnlyDictionary<string, Tensor> tensors, int layers, ulong seed)
    {
        var fresh = Fresh(config, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal), layers, seed);
        using var noGrad = no_grad();
        foreach (var (name, value) in fresh)
        {
            tensors[name].copy_(value);
            value.Dispose();
        }
        return fresh.Keys.Order(StringComparer.Ordinal).ToList();
    }
}
