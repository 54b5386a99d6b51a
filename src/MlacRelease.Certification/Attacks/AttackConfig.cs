using System.Text.Json.Serialization;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// One concrete attack: a family and every hyperparameter it needs, as sampled from a battery's search space. The
/// family decides which of the optional parts must be present (checked by <see cref="Validate"/>).
/// </summary>
public sealed record AttackConfig
{
    public required AttackFamily Family { get; init; }

    /// <summary>The harmful-task training phase (every family but the probe).</summary>
    public FineTuneSettings? Training { get; init; }

    /// <summary>L2 strength of the probe's logistic regression (probe only).</summary>
    public double? ProbeL2 { get; init; }

    public LoraSettings? Lora { get; init; }

    /// <summary>Number of top encoder layers re-initialised (with the pooler) before fine-tuning.</summary>
    public int? ReinitLayers { get; init; }

    /// <summary>Re-initialisation only: train just the re-initialised layers and the pooler, with every layer under
    /// them frozen. A diagnostic attacker: it reads what the lower layers already carry and cannot relearn it there.
    /// Left out of the JSON when null (every configuration before it, and every other family).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? FreezeLowerLayers { get; init; }

    public BenignPhase? Benign { get; init; }

    public AttackConfig Validate()
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new ArgumentException($"{Family}: {what}");
        }
        Require(Family == AttackFamily.LinearProbe ? Training is null && ProbeL2 is > 0 : Training is not null && ProbeL2 is null,
            "the probe needs ProbeL2 > 0 and no Training; every other family needs Training");
        Require((Family == AttackFamily.Lora) == (Lora is not null), "Lora settings go with the LoRA family only");
        Require((Family == AttackFamily.ReinitTopLayers) == (ReinitLayers is not null), "ReinitLayers goes with the re-initialisation family only");
        Require(FreezeLowerLayers is null || Family == AttackFamily.ReinitTopLayers, "FreezeLowerLayers goes with the re-initialisation family only");
        Require((Family == AttackFamily.BenignThenHarmful) == (Benign is not null), "a Benign phase goes with benign-then-harmful only");
        if (Training is { } t) Check(t, "training");
        if (Benign is { } b)
        {
            Check(b.Training, "benign phase");
            Require(b.Examples >= 1, "the benign phase needs at least one example");
        }
        if (Lora is { } lora) Require(lora.Rank >= 1 && lora.Alpha > 0 && lora.Targets.Count > 0, "LoRA needs rank ≥ 1, alpha > 0 and a target");
        if (ReinitLayers is { } k) Require(k >= 1, "at least one layer must be re-initialised");
        return this;

        void Check(FineTuneSettings s, string phase)
        {
            Require(s.LearningRate > 0 && double.IsFinite(s.LearningRate), $"{phase}: learning rate must be positive");
            Require(s.Steps >= 1, $"{phase}: steps must be at least 1");
            Require(s.BatchSize >= 1, $"{phase}: batch size must be at least 1");
            Require(s.WeightDecay >= 0, $"{phase}: weight decay must not be negative");
            Require(s.WarmupFraction is >= 0 and <= 1, $"{phase}: warm-up fraction must lie in [0, 1]");
            Require(s.MaxGradNorm is null or > 0, $"{phase}: max gradient norm must be positive");
        }
    }
}
