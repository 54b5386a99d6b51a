using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// A signature in the OpenSSF model-signing layout, for tools other than this one to check a release: a Sigstore
/// bundle v0.3 (public-key flavour: verificationMaterial.publicKey.hint, no certificate, no transparency-log entry)
/// holding a DSSE envelope whose payload is the in-toto statement of <see cref="ModelSigningStatement"/>. The DSSE
/// signature is ECDSA P-256 with SHA-256 over <see cref="DssePreAuthEncoding"/>, DER-encoded as Sigstore expects.
/// This is the bundle `model_signing sign key` writes and `model_signing verify key` reads.
/// </summary>
public static class ModelSigningBundle
{
    public const string MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public const string PayloadType = "application/vnd.in-toto+json";

    /// <summary>model_signing's default signature file name (its CLI's --signature default).</summary>
    public const string DefaultFileName = "model.sig";

    public const int MaxBundleBytes = 1 << 20;

    private const int MaxSignatureBytes = 72;

    private const string NistP256Oid = "1.2.840.10045.3.1.7";

    /// <summary>
    /// Signs <paramref name="files"/> (paths relative to the model folder and their SHA-256) as model
    /// <paramref name="modelName"/> and returns the bundle's UTF-8 JSON. <paramref name="ignorePaths"/> (recorded for
    /// verifiers that re-hash the folder) defaults to the bundle's own file name.
    /// </summary>
    public static byte[] Sign(IReadOnlyList<ModelSigningResource> files, string modelName, ECDsa privateKey, IReadOnlyList<string>? ignorePaths = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        RequireP256(privateKey, nameof(privateKey));
        var payload = ModelSigningStatement.Build(files, modelName, ignorePaths ?? [DefaultFileName]);
        var signature = privateKey.SignData(DssePreAuthEncoding.Encode(PayloadType, payload), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var hint = SigstoreKeyHint.For(privateKey);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("mediaType", MediaType);
            json.WriteStartObject("verificationMaterial");
            json.WriteStartObject("publicKey");
            json.WriteString("hint", hint);
            json.WriteEndObject();
            json.WriteStartArray("tlogEntries");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("dsseEnvelope");
            json.WriteBase64String("payload", payload);
            json.WriteString("payloadType", PayloadType);
            json.WriteStartArray("signatures");
            json.WriteStartObject();
            json.WriteBase64String("sig", signature);
            json.WriteString("keyid", hint);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        if (buffer.Length > MaxBundleBytes) throw new ArgumentException($"the bundle would be {buffer.Length} bytes; at most {MaxBundleBytes} are written", nameof(files));
        return buffer.ToArray();
    }

    /// <summary>
    /// Checks a bundle against <paramref name="publicKey"/> and returns what it attests. In order, failing on the first
    /// problem with an <see cref="InvalidDataException"/> that names <paramref name="source"/> and the field: size
    /// (at most 1 MiB), strict JSON (no duplicate or unknown fields), media type, key hint, no transparency-log
    /// entries, payload type, exactly one signature, canonical base64, the signature over the exact payload bytes —
    /// and only then the statement (<see cref="ModelSigningStatement.Parse"/>).
    /// </summary>
    public static VerifiedModelStatement Verify(ReadOnlySpan<byte> bundleJson, ECDsa publicKey, string source = DefaultFileName)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        RequireP256(publicKey, nameof(publicKey));
        if (bundleJson.Length > MaxBundleBytes) throw new MlacInputException($"{source}: {bundleJson.Length} bytes; a model-signing bundle is at most {MaxBundleBytes}");
        using var document = StrictJson.Parse(bundleJson.ToArray(), source);
        var root = document.RootElement;
        StrictJson.OnlyFields(root, source, "mediaType", "verificationMaterial", "dsseEnvelope");
        StrictJson.Constant(root, "mediaType", MediaType, source);

        var material = StrictJson.Field(root, "verificationMaterial", source, JsonValueKind.Object);
        var where = $"{source}: verificationMaterial";
        StrictJson.OnlyFields(material, where, "publicKey", "tlogEntries");
        var key = StrictJson.Field(material, "publicKey", where, JsonValueKind.Object);
        StrictJson.OnlyFields(key, $"{where}.publicKey", "hint");
        var hint = StrictJson.String(key, "hint", $"{where}.publicKey");
        var expectedHint = SigstoreKeyHint.For(publicKey);
        if (!string.Equals(hint, expectedHint, StringComparison.Ordinal))
            throw new MlacInputException($"{where}.publicKey: field 'hint': signed by key {hint}, but the public key given is {expectedHint}");
        if (material.TryGetProperty("tlogEntries", out _) && StrictJson.Field(material, "tlogEntries", where, JsonValueKind.Array).GetArrayLength() != 0)
            throw new MlacInputException($"{where}: field 'tlogEntries': transparency-log entries are not checked by this reader, so a bundle with them is refused");

        var envelope = StrictJson.Field(root, "dsseEnvelope", source, JsonValueKind.Object);
        where = $"{source}: dsseEnvelope";
        StrictJson.OnlyFields(envelope, where, "payload", "payloadType", "signatures");
        var payloadType = StrictJson.Constant(envelope, "payloadType", PayloadType, where);
        var payload = StrictJson.Base64(envelope, "payload", where, MaxBundleBytes);
        var signatures = StrictJson.Field(envelope, "signatures", where, JsonValueKind.Array);
        if (signatures.GetArrayLength() != 1) throw new MlacInputException($"{where}: field 'signatures': expected exactly one signature, got {signatures.GetArrayLength()}");
        where += ".signatures[0]";
        StrictJson.OnlyFields(signatures[0], where, "sig", "keyid");
        if (StrictJson.OptionalString(signatures[0], "keyid", where) is { Length: > 0 } keyId && !string.Equals(keyId, hint, StringComparison.Ordinal))
            throw new MlacInputException($"{where}: field 'keyid': \"{keyId}\" is neither empty nor the key hint {hint}");
        var signature = StrictJson.Base64(signatures[0], "sig", where, MaxSignatureBytes);
        if (!publicKey.VerifyData(DssePreAuthEncoding.Encode(payloadType, payload), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            throw new MlacInputException($"{where}: field 'sig': the signature does not match the payload (the bundle was altered or signed by another key)");

        return ModelSigningStatement.Parse(payload, hint, $"{source}: dsseEnvelope.payload");
    }

    private static void RequireP256(ECDsa key, string parameter)
    {
        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        if (curve.Oid.Value != NistP256Oid) throw new ArgumentException($"expected an ECDSA P-256 key, got {curve.Oid.FriendlyName ?? curve.Oid.Value} ({key.KeySize} bits)", parameter);
    }
}
