using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// A detached signature over the exact bytes of a release's manifest.json: ECDSA P-256 with SHA-256
/// (IEEE P1363 r‖s encoding), stored as manifest.sig JSON with the signing key's id.
/// </summary>
public sealed record ManifestSignature
{
    public const string Algorithm = "ECDSA-P256-SHA256";
    public const string FileName = "manifest.sig";

    [JsonPropertyName("algorithm")] public string SignatureAlgorithm { get; init; } = Algorithm;
    [JsonPropertyName("key_id")] public string KeyId { get; init; } = "";
    [JsonPropertyName("manifest_sha256")] public string ManifestSha256 { get; init; } = "";
    [JsonPropertyName("signature")] public string Signature { get; init; } = "";

    /// <summary>Signs the manifest file and writes the signature beside it (atomically).</summary>
    public static ManifestSignature Sign(string manifestPath, string privateKeyPath)
    {
        var manifest = ReadBounded(manifestPath);
        using var key = SigningKeys.LoadPrivate(privateKeyPath);
        var signature = new ManifestSignature
        {
            KeyId = SigningKeys.KeyId(key),
            ManifestSha256 = FileDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(manifest)),
            Signature = Convert.ToBase64String(key.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
        };
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, FileName);
        IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(signature, new JsonSerializerOptions { WriteIndented = true }));
        return signature;
    }

    /// <summary>Checks the signature file against the manifest and a public key; the reason names what failed.</summary>
    public static (bool Valid, string Reason) Verify(string manifestPath, string signaturePath, string publicKeyPath)
    {
        var manifest = ReadBounded(manifestPath);
        ManifestSignature? signature;
        try
        {
            signature = JsonSerializer.Deserialize<ManifestSignature>(ReadBounded(signaturePath));
        }
        catch (JsonException e)
        {
            return (false, $"{signaturePath}: not a signature file ({e.Message})");
        }
        if (signature is null || signature.SignatureAlgorithm != Algorithm)
            return (false, $"{signaturePath}: expected algorithm {Algorithm}");
        using var key = SigningKeys.LoadPublic(publicKeyPath);
        var keyId = SigningKeys.KeyId(key);
        if (!string.Equals(signature.KeyId, keyId, StringComparison.Ordinal))
            return (false, $"{signaturePath}: signed by key {signature.KeyId}, but the public key given is {keyId}");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature.Signature);
        }
        catch (FormatException)
        {
            return (false, $"{signaturePath}: the signature is not base64");
        }
        return key.VerifyData(manifest, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? (true, $"signature by key {keyId} is valid")
            : (false, $"{signaturePath}: the signature does not match {Path.GetFileName(manifestPath)} (the manifest or the signature was altered)");
    }

    private static byte[] ReadBounded(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: missing", path);
        if (new FileInfo(path).Length > 16 << 20) throw new InvalidDataException($"{path}: larger than 16 MB");
        return File.ReadAllBytes(path);
    }
}
