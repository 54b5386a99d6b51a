namespace MlacRelease.Certification.Certificates;

/// <summary>
/// Everything that determines a certification's results besides the runs themselves. Its digest is the
/// certification's identity: stored results and shards carry it, and are reused or merged only when it matches.
/// </summary>
public sealed record CertificationContext(
    ToolInfo Tool,
    EncoderDescription Model,
    ReferenceEncoders References,
    DataDescription Data,
    BatteryDescription Battery,
    Policies.CertificationPolicy? Policy,
    NumericsDescription Numerics)
{
    public string Identity() => CanonicalJson.Digest(this);
}
