using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Batteries;

/// <summary>The snake_case names battery and policy files use for enumerations.</summary>
internal static class YamlNames
{
    public static IReadOnlyDictionary<string, AttackFamily> Families { get; } = new Dictionary<string, AttackFamily>
    {
        ["full_fine_tune"] = AttackFamily.FullFineTune,
        ["linear_probe"] = AttackFamily.LinearProbe,
        ["lora"] = AttackFamily.Lora,
        ["reinit_top_layers"] = AttackFamily.ReinitTopLayers,
        ["benign_then_harmful"] = AttackFamily.BenignThenHarmful,
    };

    public static IReadOnlyDictionary<string, OptimizerKind> Optimizers { get; } = new Dictionary<string, OptimizerKind>
    {
        ["adam"] = OptimizerKind.Adam,
        ["adamw"] = OptimizerKind.AdamW,
        ["sgd_momentum"] = OptimizerKind.SgdMomentum,
        ["sgd_nesterov"] = OptimizerKind.SgdNesterov,
        ["adagrad"] = OptimizerKind.Adagrad,
        ["adadelta"] = OptimizerKind.Adadelta,
    };

    public static IReadOnlyDictionary<string, ScheduleKind> Schedules { get; } = new Dictionary<string, ScheduleKind>
    {
        ["constant"] = ScheduleKind.Constant,
        ["linear_warmup"] = ScheduleKind.LinearWarmup,
        ["cosine"] = ScheduleKind.Cosine,
    };

    public static IReadOnlyDictionary<string, LoraTarget> LoraTargets { get; } = new Dictionary<string, LoraTarget>
    {
        ["query"] = LoraTarget.Query,
        ["key"] = LoraTarget.Key,
        ["value"] = LoraTarget.Value,
        ["attention_output"] = LoraTarget.AttentionOutput,
        ["intermediate"] = LoraTarget.Intermediate,
        ["output"] = LoraTarget.Output,
    };

    public static string Name<T>(IReadOnlyDictionary<string, T> names, T value) where T : struct, Enum =>
        names.First(kv => kv.Value.Equals(value)).Key;
}
