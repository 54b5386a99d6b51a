using static TorchSharp.torch;

namespace MlacRelease.Core.Attack;

/// <summary>
/// A set of LoRA adapters on a BERT parameter map: drawn from one seed in target order, and applied by replacing
/// each targeted weight of the map with its effective weight. Untargeted entries stay the base tensors themselves.
/// </summary>
public static class LoraAdapters
{
    /// <summary>One adapter per target name, all A matrices from one generator seeded with <paramref name="seed"/>,
    /// drawn in the order of <paramref name="targets"/> (the order decides which draw each target gets).</summary>
    public static IReadOnlyList<LoraAdapter> Initial(IReadOnlyDictionary<string, Tensor> weights, IReadOnlyList<string> targets, int rank, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        var generator = new Generator(seed, CPU);
        var adapters = new List<LoraAdapter>(targets.Count);
        foreach (var target in targets) adapters.Add(LoraAdapter.Initial(target, weights[target], rank, generator));
        return adapters;
    }

    /// <summary>The map a forward pass reads: <paramref name="weights"/> with every adapter's target replaced by
    /// W + scaling · B · A.</summary>
    public static Dictionary<string, Tensor> Apply(IReadOnlyDictionary<string, Tensor> weights, IEnumerable<LoraAdapter> adapters, double scaling)
    {
        var map = new Dictionary<string, Tensor>(weights, StringComparer.Ordinal);
        foreach (var adapter in adapters) map[adapter.Target] = adapter.Merge(weights[adapter.Target], scaling);
        return map;
    }
}
