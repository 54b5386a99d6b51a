using System.Text.Json.Serialization;

namespace MlacRelease.Certification.Policies;

/// <summary>
/// What a release must show to pass (release-checks/policy.yaml). Here every threshold is optional and a missing one is
/// not checked (tests build policies in code); a policy file must do more: <see cref="PolicyParser"/> requires a
/// blocking check, a 'default' accuracy-over-random limit whenever limits are given, and a parity tolerance of at most
/// <see cref="PolicyParser.MaxParityTolerance"/>. <see cref="RequiredParityTolerance"/> concerns the exported ONNX graph
/// and is checked at export and gate time; the certificate records it so the whole policy travels with the release.
/// </summary>
public sealed record CertificationPolicy
{
    public const string Schema = "mlac.policy/v1";

    /// <summary>A built-in preset the battery must equal exactly (same digest), e.g. "standard".</summary>
    public string? RequiredBattery { get; init; }

    /// <summary>The lowest blocking score allowed anywhere in the worst case.</summary>
    public double? MinBlockingScore { get; init; }

    /// <summary>Limits on (attacker's best accuracy on the model − its best on random init), per data size.</summary>
    public IReadOnlyList<ExcessLimit> MaxHarmfulAccuracyOverRandom { get; init; } = [];

    /// <summary>The lowest desired-task retention (model accuracy / pretrained accuracy, probe and fine-tune).</summary>
    public double? MinDesiredRetention { get; init; }

    /// <summary>Largest allowed |ONNX − reference| output difference at export (checked there, not here).</summary>
    public double? RequiredParityTolerance { get; init; }

    /// <summary>Whether an undefined blocking score (no pretrained head start to block) fails the blocking check.
    /// Default false: there the per-n accuracy-over-random limit is the check that matters.</summary>
    public bool UndefinedBlockingFails { get; init; }

    // What the certificate is about. Without these a genuine battery run on data whose "harmful" labels are noise (or
    // another task) gives the pretrained encoder no head start: every blocking score is undefined, the model is as
    // good as random init, and the unmodified encoder passes. The four below are left out of the JSON when null, so
    // certificates written before they existed keep their canonical bytes and identity.

    /// <summary>The dataset the attacks must have used (content digest, "sha256:…").</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequiredDataset { get; init; }

    /// <summary>The harmful labels the attacks must have targeted, in order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? RequiredHarmfulLabels { get; init; }

    /// <summary>The pretrained reference the blocking scores must be measured against (weight digest): a weaker
    /// reference of one's choosing would inflate them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequiredPretrained { get; init; }

    /// <summary>The least head start (pretrained's best accuracy − random init's) the battery must show at its largest
    /// data size: evidence that the harmful task is learnable from this encoder at all, whatever the data.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MinReferenceHeadStart { get; init; }
}
