using System.Text.Json.Nodes;
using MlacRelease.Common.Integrity;
using Xunit.Abstractions;

namespace MlacRelease.Common.Tests;

/// <summary>
/// The bundles we write are checked by the Sigstore project's own verifier (@sigstore/verify, pinned), offline, with
/// trust material built from the public key alone: it accepts ours and refuses each tampered one.
/// </summary>
public sealed class SigstoreJsVerificationTests(TestBundles bundles, ITestOutputHelper output) : IClassFixture<TestBundles>, IDisposable
{
    private readonly TempFolder folder = new("mlac-sigstore-js-");

    [NodeFact]
    public void The_Sigstore_JS_verifier_accepts_our_bundle()
    {
        var (code, text) = Run(bundles.Bundle, bundles.Key.ExportSubjectPublicKeyInfoPem());
        code.Should().Be(0, text);
        var result = JsonNode.Parse(text)!;
        ((bool)result["verified"]!).Should().BeTrue();
        ((string)result["keyHint"]!).Should().Be(SigstoreKeyHint.For(bundles.Key), "Node computes model_signing's key hint from the PEM on its own");
        ((string)result["predicateType"]!).Should().Be(ModelSigningStatement.PredicateType);
        ((string)result["subject"]![0]!["digest"]!["sha256"]!).Should().Be(ModelSigningBundle.Verify(bundles.Bundle, bundles.Key).RootSha256Hex);
        ((int)result["resources"]!).Should().Be(TestBundles.Files.Count);
    }

    [NodeFact]
    public void The_Sigstore_JS_verifier_refuses_each_tampered_bundle_and_another_key()
    {
        foreach (var how in TestBundles.TamperNames)
        {
            var (code, text) = Run(bundles.Tamper(how), bundles.Key.ExportSubjectPublicKeyInfoPem());
            code.Should().Be(1, $"tampering '{how}' must be refused: {text}");
            text.Should().StartWith("refused: VerificationError").And.Contain(how == "key hint" ? "[PUBLIC_KEY_ERROR]: key not found" : "[SIGNATURE_ERROR]");
        }
        var (otherCode, otherText) = Run(bundles.Bundle, bundles.OtherKey.ExportSubjectPublicKeyInfoPem());
        otherCode.Should().Be(1, otherText);
        otherText.Should().Contain("key not found");
    }

    public void Dispose() => folder.Dispose();

    private (int Code, string Text) Run(byte[] bundle, string publicKeyPem)
    {
        var name = Guid.NewGuid().ToString("N");
        var bundlePath = Path.Combine(folder.Path, name + ".sig");
        var keyPath = Path.Combine(folder.Path, name + ".pub");
        File.WriteAllBytes(bundlePath, bundle);
        File.WriteAllText(keyPath, publicKeyPem);
        var (code, text) = SigstoreJs.Verify(bundlePath, keyPath);
        output.WriteLine(text);
        return (code, text);
    }
}
