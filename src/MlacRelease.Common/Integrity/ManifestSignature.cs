using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlacRelease.Common.IO;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// A detached signature over the exact bytes of a release's manifest.json: ECDSA P-256 with SHA-256
/// (IEEE P1363 r‖s encoding), stored as manifest.sig JSON with the signing key's id.
/// </summary>
/// <remarks>Verification is strict on purpose: manifest.sig must be byte for byte the form <see cref="Sign(string, string)"/>
/// writes (no unknown fields, no other spacing, canonical base64, the manifest's digest recorded correctly), so a
/// changed byte anywhere in it is refused instead of being read past.</remarks>
public sealed record ManifestSignature
{
    public const string Algorithm = "ECDSA-P256-SHA256";
    public const string FileName = Release.ReleaseFileNames.ManifestSignature;

    /// <summary>Far above the ~300 bytes a signature takes; bounds what a stranger's file can make us read.</summary>
    public const int MaxFileBytes = 64 * 1024;

    private const int SignatureBytes = 64;

    private static readonly JsonSerializerOptions Written = new() { WriteIndented = true };

    private static readonly JsonSerializerOptions Read = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        MaxDepth = 2,
    };

    [JsonPropertyName("algorithm")] public string SignatureAlgorithm { get; init; } = Algorithm;
    [JsonPropertyName("key_id")] public string KeyId { get; init; } = "";
    [JsonPropertyName("manifest_sha256")] public string ManifestSha256 { get; init; } = "";
    [JsonPropertyName("signature")] public string Signature { get; init; } = "";

    /// <summary>Signs the manifest file and writes the signature beside it (atomically).</summary>
    public static ManifestSignature Sign(string manifestPath, string privateKeyPath)
    {
        var manifest = BoundedFile.ReadAllBytes(manifestPath, 16 << 20, "manifest");
        using var key = SigningKeys.LoadPrivate(privateKeyPath);
        var signature = Create(manifest, key);
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, FileName);
        IO.AtomicFile.WriteAllBytes(path, signature.ToBytes());
        return signature;
    }

    /// <summary>The signature record over <paramref name="manifest"/>'s exact bytes.</summary>
    public static ManifestSignature Create(ReadOnlySpan<byte> manifest, ECDsa key) => new()
    {
        KeyId = SigningKeys.KeyId(key),
        ManifestSha256 = DigestOf(manifest),
        Signature = Convert.ToBase64String(key.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
    };

    /// <summary>The exact bytes manifest.sig holds.</summary>
    public byte[] ToBytes() => System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Written));

    /// <summary>Checks the signature file against the manifest and a public key; the reason names what failed.</summary>
    public static (bool Valid, string Reason) Verify(string manifestPath, string signaturePath, string publicKeyPath)
    {
        if (!File.Exists(signaturePath)) return (false, $"{signaturePath}: missing; the release is not signed");
        using var key = SigningKeys.LoadPublic(publicKeyPath);
        return Verify(BoundedFile.ReadAllBytes(manifestPath, 16 << 20, "manifest"), BoundedFile.ReadAllBytes(signaturePath, MaxFileBytes, "signature"), key, signaturePath);
    }

    /// <summary>Verifies <paramref name="signatureFile"/> (manifest.sig's bytes) over <paramref name="manifest"/>'s exact
    /// bytes with <paramref name="key"/>. Nothing of the manifest is parsed here: call this before trusting it.</summary>
    public static (bool Valid, string Reason) Verify(ReadOnlySpan<byte> manifest, ReadOnlySpan<byte> signatureFile, ECDsa key, string source)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (signatureFile.Length > MaxFileBytes) return (false, $"{source}: {signatureFile.Length:N0} bytes, more than the {MaxFileBytes:N0} a signature file may have");
        ManifestSignature? signature;
        try
        {
            signature = JsonSerializer.Deserialize<ManifestSignature>(signatureFile, Read);
        }
        catch (JsonException e)
        {
            return (false, $"{source}: not a signature file ({e.Message})");
        }
        if (signature is null) return (false, $"{source}: not a signature file (null)");
        if (!signatureFile.SequenceEqual(signature.ToBytes()))
            return (false, $"{source}: not in the exact form mlac sign writes (extra or changed characters outside the values); refusing to read past them");
        if (signature.SignatureAlgorithm != Algorithm)
            return (false, $"{source}: field 'algorithm': expected {Algorithm}, got \"{signature.SignatureAlgorithm}\"");
        var keyId = SigningKeys.KeyId(key);
        if (!string.Equals(signature.KeyId, keyId, StringComparison.Ordinal))
            return (false, $"{source}: signed by key {signature.KeyId}, but the public key given is {keyId}");
        var digest = DigestOf(manifest);
        if (!string.Equals(signature.ManifestSha256, digest, StringComparison.Ordinal))
            return (false, $"{source}: field 'manifest_sha256' is {signature.ManifestSha256}, but the manifest's SHA-256 is {digest} (the manifest or the signature was altered)");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature.Signature);
        }
        catch (FormatException)
        {
            return (false, $"{source}: field 'signature' is not base64");
        }
        // Base64 may carry ignored bits and whitespace; only the one canonical spelling of the 64 bytes is accepted.
        if (bytes.Length != SignatureBytes || Convert.ToBase64String(bytes) != signature.Signature)
            return (false, $"{source}: field 'signature': expected the canonical base64 of {SignatureBytes} bytes");
        return key.VerifyData(manifest, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? (true, $"signature by key {keyId} is valid")
            : (false, $"{source}: the signature does not match the manifest (the manifest or the signature was altered)");
    }

    private static string DigestOf(ReadOnlySpan<byte> bytes) => FileDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
