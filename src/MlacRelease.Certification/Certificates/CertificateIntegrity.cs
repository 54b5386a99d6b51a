namespace MlacRelease.Certification.Certificates;

/// <summary>
/// SHA-256 over the certificate's canonical JSON with this field and the baseline provenance left out. It detects any edit (a changed number, a
/// swapped digest); it does not say who made the certificate — that is what the release signature is for.
/// </summary>
public sealed record CertificateIntegrity(string Algorithm, string Digest)
{
    public const string CanonicalSha256 = "sha256-canonical-json-v1";
}
