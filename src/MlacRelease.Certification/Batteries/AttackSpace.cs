using MlacRelease.Certification.Attacks;
using MlacRelease.Core.Data;

namespace MlacRelease.Certification.Batteries;

/// <summary>
/// One attack of a battery: a family and the space its hyperparameters are searched over. Which parts are present
/// follows the family (the parser enforces it): the probe has only <see cref="ProbeL2"/>; the others have
/// <see cref="Training"/>, plus <see cref="Lora"/>, <see cref="ReinitLayers"/> or <see cref="Benign"/> for theirs.
/// </summary>
public sealed record AttackSpace
{
    /// <summary>Unique within the battery (defaults to the family's name).</summary>
    public required string Name { get; init; }

    public required AttackFamily Family { get; init; }

    public TrainingSpace? Training { get; init; }

    public LogUniformRange? ProbeL2 { get; init; }

    public LoraSpace? Lora { get; init; }

    public IReadOnlyList<int>? ReinitLayers { get; init; }

    /// <summary>Re-initialisation only: freeze the layers under the re-initialised ones (<c>freeze_lower_layers</c>).</summary>
    public bool? FreezeLowerLayers { get; init; }

    public BenignSpace? Benign { get; init; }

    /// <summary>Whether runs have a step budget that successive halving can cut (all but the probe).</summary>
    public bool IsBudgeted => Family != AttackFamily.LinearProbe;

    public AttackConfig Sample(DeterministicRandom random)
    {
        if (Family == AttackFamily.LinearProbe) return new AttackConfig { Family = Family, ProbeL2 = ProbeL2!.Sample(random) };
        var config = new AttackConfig { Family = Family, Training = Training!.Sample(random) };
        if (Lora is { } lora) config = config with { Lora = new LoraSettings(random.Pick(lora.Ranks), random.Pick(lora.Alphas), lora.Targets) };
        if (ReinitLayers is { } layers) config = config with { ReinitLayers = random.Pick(layers), FreezeLowerLayers = FreezeLowerLayers };
        if (Benign is { } benign)
        {
            var optimizer = random.Pick(benign.Optimizers);
            var rate = benign.LearningRate.Sample(random);
            var steps = random.Pick(benign.Steps);
            config = config with
            {
                Benign = new BenignPhase(new FineTuneSettings(optimizer, rate, ScheduleKind.LinearWarmup, 0.1, benign.BatchSize, steps, 0.0, Training!.MaxGradNorm), benign.Examples),
            };
        }
        return config.Validate();
    }
}
