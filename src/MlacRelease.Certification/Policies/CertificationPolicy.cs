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
}
