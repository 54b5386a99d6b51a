using MlacRelease.Core.Model;

namespace MlacRelease.Core.Attack;

/// <summary>
/// The projections LoRA can adapt, as Hugging Face module names (what PEFT's <c>target_modules</c> lists): the query,
/// key, value and attention-output projections and the two feed-forward layers of every BERT layer. Training's
/// simulated LoRA attacker adapts all of them; the battery's LoRA attack a chosen subset, in this order.
/// </summary>
public static class LoraTargetModules
{
    /// <summary>In the order adapters are drawn within a layer: one seed must give the same A matrices to the
    /// simulated attacker and to the certifying one, so both walk the targets in this order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        BertParameterNames.Query, BertParameterNames.Key, BertParameterNames.Value,
        BertParameterNames.AttentionOutput, BertParameterNames.Intermediate, BertParameterNames.Output,
    ];

    /// <summary>The adapted weights' parameter names (<c>encoder.layer.{l}.{module}.weight</c>), layer by layer and,
    /// within a layer, in the order of <paramref name="modules"/>.</summary>
    public static IReadOnlyList<string> WeightNames(int layers, IEnumerable<string> modules)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        var perLayer = modules.ToList();
        return Enumerable.Range(0, layers).SelectMany(l => perLayer.Select(m => BertParameterNames.Layer(l, m + ".weight"))).ToList();
    }
}
