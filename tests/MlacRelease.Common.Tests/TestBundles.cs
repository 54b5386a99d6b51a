using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MlacRelease.Common.Integrity;

namespace MlacRelease.Common.Tests;

/// <summary>A signing key, a second key, a signed sample bundle, and the edits the tamper tests apply to bundles.</summary>
public sealed class TestBundles : IDisposable
{
    public TestBundles()
    {
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        OtherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Bundle = ModelSigningBundle.Sign(Files, "mlac-release", Key);
    }

    /// <summary>Given out of order, with a nested path whose string order differs from its path order ("a-b" vs "a/b").</summary>
    public static IReadOnlyList<ModelSigningResource> Files { get; } =
    [
        new("vocab.txt", Sha("vocab")),
        new("model.onnx", Sha("model")),
        new("a-b", Sha("dash")),
        new("a/b", Sha("slash")),
        new("manifest.json", Sha("manifest")),
    ];

    /// <summary>The tampering that both our verifier and the independent one must refuse.</summary>
    public static IReadOnlyList<string> TamperNames { get; } = ["payload byte", "resource digest", "signature byte", "key hint", "payload type"];

    public static TheoryData<string> Tampers => new(TamperNames);

    public ECDsa Key { get; }

    public ECDsa OtherKey { get; }

    public byte[] Bundle { get; }

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public byte[] Tamper(string how) => how switch
    {
        "payload byte" => WithPayload(Bundle, Flipped(Payload(Bundle), ^10), resignWith: null),
        "resource digest" => WithPayload(Bundle, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Payload(Bundle)).Replace(Sha("model"), Sha("other"), StringComparison.Ordinal)), resignWith: null),
        "signature byte" => Edit(Bundle, b =>
        {
            var signature = b["dsseEnvelope"]!["signatures"]![0]!;
            signature["sig"] = Convert.ToBase64String(Flipped(Convert.FromBase64String((string)signature["sig"]!), ^1));
        }),
        "key hint" => Edit(Bundle, b => b["verificationMaterial"]!["publicKey"]!["hint"] = SigstoreKeyHint.For(OtherKey)),
        "payload type" => Edit(Bundle, b => b["dsseEnvelope"]!["payloadType"] = "application/json"),
        _ => throw new ArgumentOutOfRangeException(nameof(how), how, "no such tampering"),
    };

    public static byte[] Edit(byte[] bundle, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(bundle)!.AsObject();
        edit(root);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    public static byte[] Payload(byte[] bundle) => Convert.FromBase64String((string)JsonNode.Parse(bundle)!["dsseEnvelope"]!["payload"]!);

    public static JsonObject Statement(byte[] bundle) => JsonNode.Parse(Payload(bundle))!.AsObject();

    /// <summary>The bundle with another payload, signed again (as an attacker holding the key could) or left with the old signature.</summary>
    public static byte[] WithPayload(byte[] bundle, byte[] payload, ECDsa? resignWith) => Edit(bundle, b =>
    {
        b["dsseEnvelope"]!["payload"] = Convert.ToBase64String(payload);
        if (resignWith is not null)
        {
            var pae = DssePreAuthEncoding.Encode(ModelSigningBundle.PayloadType, payload);
            b["dsseEnvelope"]!["signatures"]![0]!["sig"] = Convert.ToBase64String(resignWith.SignData(pae, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
    });

    /// <summary>The bundle with its statement edited and signed again with <paramref name="key"/>.</summary>
    public static byte[] WithStatement(byte[] bundle, Action<JsonObject> edit, ECDsa key)
    {
        var statement = Statement(bundle);
        edit(statement);
        return WithPayload(bundle, Encoding.UTF8.GetBytes(statement.ToJsonString()), key);
    }

    private static byte[] Flipped(byte[] bytes, Index at)
    {
        bytes[at] ^= 0x01;
        return bytes;
    }

    public void Dispose()
    {
        Key.Dispose();
        OtherKey.Dispose();
    }
}
