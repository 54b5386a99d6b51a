using MlacRelease.Core.Model;

namespace MlacRelease.Certification.Attacks;

/// <summary>A projection of every encoder layer that LoRA can adapt.</summary>
public enum LoraTarget
{
    Query,
    Key,
    Value,
    AttentionOutput,
    Intermediate,
    Output,
}

public static class LoraTargets
{
    public static IReadOnlyList<LoraTarget> All { get; } = Enum.GetValues<LoraTarget>();

    /// <summary>The Hugging Face module name the target adapts (its ".weight" is the adapted tensor).</summary>
    public static string Module(this LoraTarget target) => target switch
    {
        LoraTarget.Query => BertParameterNames.Query,
        LoraTarget.Key => BertParameterNames.Key,
        LoraTarget.Value => BertParameterNames.Value,
        LoraTarget.AttentionOutput => BertParameterNames.AttentionOutput,
        LoraTarget.Intermediate => BertParameterNames.Intermediate,
        LoraTarget.Output => BertParameterNames.Output,
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
    };
}
