using System.Security.Cryptography;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Certificates;

/// <summary>Writes and reads certificates in canonical form and seals them with their integrity digest.</summary>
public static class CertificateSerializer
{
    /// <summary>The certificate with <see cref="Certificate.Integrity"/> set to the digest of its unsealed canonical bytes.</summary>
    public static Certificate Seal(Certificate certificate) =>
        certificate with { Integrity = new CertificateIntegrity(CertificateIntegrity.CanonicalSha256, ComputeDigest(certificate)) };

    /// <summary>Over the canonical bytes with the integrity and the provenance left out: the same results give the same
    /// digest whether their baselines were computed or read from the cache.</summary>
    public static string ComputeDigest(Certificate certificate) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Serialize(certificate with { Integrity = null, Provenance = null })));

    public static byte[] ToBytes(Certificate certificate) => CanonicalJson.Serialize(certificate);

    public static Certificate FromBytes(ReadOnlySpan<byte> json, string source = "certificate")
    {
        var certificate = CanonicalJson.Deserialize<Certificate>(json, source);
        if (!Certificate.ReadableSchemas.Contains(certificate.Schema))
            throw new MlacInputException($"{source}: schema '{certificate.Schema}' is not supported (expected one of {string.Join(", ", Certificate.ReadableSchemas.Select(s => $"'{s}'"))})");
        return certificate;
    }

    public static Certificate Read(string path) => FromBytes(File.ReadAllBytes(path), path);

    public static void Write(Certificate certificate, string path) => Common.IO.AtomicFile.WriteAllBytes(path, ToBytes(certificate));
}
