using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Tests;

public sealed class ModelSigningBundleTests(TestBundles bundles) : IClassFixture<TestBundles>
{
    [Fact]
    public void A_signed_bundle_verifies_and_returns_every_file_in_model_signing_path_order()
    {
        var verified = ModelSigningBundle.Verify(bundles.Bundle, bundles.Key);

        verified.ModelName.Should().Be("mlac-release");
        verified.Resources.Select(r => r.Name).Should().Equal("a/b", "a-b", "manifest.json", "model.onnx", "vocab.txt");
        verified.Resources.Should().BeEquivalentTo(TestBundles.Files);
        verified.Find("model.onnx")!.Sha256Hex.Should().Be(TestBundles.Sha("model"));
        verified.IgnorePaths.Should().Equal(ModelSigningBundle.DefaultFileName);
        verified.KeyHint.Should().Be(SigstoreKeyHint.For(bundles.Key));
        var concatenated = verified.Resources.SelectMany(r => Convert.FromHexString(r.Sha256Hex)).ToArray();
        verified.RootSha256Hex.Should().Be(Convert.ToHexStringLower(SHA256.HashData(concatenated)), "model_signing's subject digest hashes the raw digests in list order");
    }

    [Fact]
    public void The_bundle_has_the_layout_model_signing_writes()
    {
        var bundle = JsonNode.Parse(bundles.Bundle)!;
        ((string)bundle["mediaType"]!).Should().Be("application/vnd.dev.sigstore.bundle.v0.3+json");
        ((string)bundle["verificationMaterial"]!["publicKey"]!["hint"]!).Should().MatchRegex("^[0-9a-f]{64}$");
        bundle["verificationMaterial"]!["tlogEntries"]!.AsArray().Should().BeEmpty();
        ((string)bundle["dsseEnvelope"]!["payloadType"]!).Should().Be("application/vnd.in-toto+json");
        var signature = Convert.FromBase64String((string)bundle["dsseEnvelope"]!["signatures"]![0]!["sig"]!);
        signature[0].Should().Be(0x30, "Sigstore's ECDSA signatures are DER SEQUENCEs, not IEEE P1363 r||s");

        var statement = TestBundles.Statement(bundles.Bundle);
        ((string)statement["_type"]!).Should().Be("https://in-toto.io/Statement/v1");
        ((string)statement["predicateType"]!).Should().Be("https://model_signing/signature/v1.0");
        statement["subject"]!.AsArray().Should().ContainSingle();
        ((string)statement["subject"]![0]!["name"]!).Should().Be("mlac-release");
        var serialization = statement["predicate"]!["serialization"]!;
        ((string)serialization["method"]!).Should().Be("files");
        ((string)serialization["hash_type"]!).Should().Be("sha256");
        ((bool)serialization["allow_symlinks"]!).Should().BeFalse();
        serialization["ignore_paths"]!.AsArray().Select(p => (string)p!).Should().Equal("model.sig");
        var first = statement["predicate"]!["resources"]![0]!.AsObject();
        first.Select(p => p.Key).Should().Equal("name", "algorithm", "digest");
        ((string)first["algorithm"]!).Should().Be("sha256");
    }

    [Fact]
    public void A_manifest_entry_becomes_a_resource_without_the_digest_prefix()
    {
        var entry = new Release.ReleaseManifestEntry("model.onnx", FileDigest.Prefix + TestBundles.Sha("model"), 5);
        ModelSigningResource.FromManifestEntry(entry).Should().Be(new ModelSigningResource("model.onnx", TestBundles.Sha("model")));
    }

    [Theory]
    [MemberData(nameof(TestBundles.Tampers), MemberType = typeof(TestBundles))]
    public void Each_tampering_is_refused_naming_the_field(string how)
    {
        var act = () => ModelSigningBundle.Verify(bundles.Tamper(how), bundles.Key, "release/model.sig");
        var expected = how == "key hint" ? "*publicKey: field 'hint'*" : how == "payload type" ? "*field 'payloadType'*" : "*field 'sig': the signature does not match*";
        act.Should().Throw<MlacInputException>().WithMessage("release/model.sig: " + expected);
    }

    [Fact]
    public void Another_public_key_is_refused_by_its_hint()
    {
        var act = () => ModelSigningBundle.Verify(bundles.Bundle, bundles.OtherKey);
        act.Should().Throw<MlacInputException>().WithMessage($"*signed by key {SigstoreKeyHint.For(bundles.Key)}, but the public key given is {SigstoreKeyHint.For(bundles.OtherKey)}");
    }

    [Fact]
    public void A_signature_by_another_key_under_the_right_hint_is_refused()
    {
        var forged = TestBundles.WithPayload(bundles.Bundle, TestBundles.Payload(bundles.Bundle), bundles.OtherKey);
        var act = () => ModelSigningBundle.Verify(forged, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage("*field 'sig': the signature does not match*");
    }

    [Fact]
    public void The_signature_is_checked_before_the_payload_is_parsed()
    {
        var garbage = TestBundles.WithPayload(bundles.Bundle, Encoding.UTF8.GetBytes("{not json"), resignWith: null);
        var act = () => ModelSigningBundle.Verify(garbage, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage("*field 'sig': the signature does not match*");
    }

    [Fact]
    public void A_resource_digest_changed_and_signed_again_no_longer_matches_the_subject_digest()
    {
        var edited = TestBundles.WithStatement(bundles.Bundle, s => s["predicate"]!["resources"]![0]!["digest"] = TestBundles.Sha("other"), bundles.Key);
        var act = () => ModelSigningBundle.Verify(edited, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage("*dsseEnvelope.payload: subject[0].digest.sha256 is *, but the listed resources hash to *");
    }

    [Fact]
    public void A_resource_listed_twice_is_refused_even_when_signed()
    {
        var edited = TestBundles.WithStatement(bundles.Bundle, s =>
        {
            var resources = s["predicate"]!["resources"]!.AsArray();
            resources.Add(resources[0]!.DeepClone());
            s["subject"]![0]!["digest"]!["sha256"] = RootOf(resources);
        }, bundles.Key);
        var act = () => ModelSigningBundle.Verify(edited, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage("*predicate.resources[5]: field 'name': 'a/b' is listed twice");
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    public void A_resource_name_outside_the_model_folder_is_refused_even_when_signed(string name)
    {
        var edited = TestBundles.WithStatement(bundles.Bundle, s => s["predicate"]!["resources"]![0]!["name"] = name, bundles.Key);
        var act = () => ModelSigningBundle.Verify(edited, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage("*predicate.resources[0]: field 'name': *");
    }

    [Theory]
    [InlineData("predicateType", "https://model_signing/Digests/v0.1", "*field 'predicateType': expected*")]
    [InlineData("_type", "https://in-toto.io/Statement/v0.1", "*field '_type': expected*")]
    [InlineData("extra", "x", "*unknown field 'extra'*")]
    public void Another_statement_kind_is_refused_even_when_signed(string field, string value, string message)
    {
        var edited = TestBundles.WithStatement(bundles.Bundle, s => s[field] = value, bundles.Key);
        var act = () => ModelSigningBundle.Verify(edited, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage(message);
    }

    [Fact]
    public void Unknown_media_type_unknown_fields_log_entries_and_extra_signatures_are_refused()
    {
        Refused(b => b["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.2+json", "*field 'mediaType': expected \"application/vnd.dev.sigstore.bundle.v0.3+json\"*");
        Refused(b => b["messageSignature"] = new JsonObject(), "*unknown field 'messageSignature'*");
        Refused(b => b["verificationMaterial"]!["tlogEntries"]!.AsArray().Add(new JsonObject()), "*field 'tlogEntries': transparency-log entries are not checked*");
        Refused(b => b["dsseEnvelope"]!["signatures"]!.AsArray().Add(b["dsseEnvelope"]!["signatures"]![0]!.DeepClone()), "*field 'signatures': expected exactly one signature, got 2");
        Refused(b => b["dsseEnvelope"]!["signatures"]![0]!["keyid"] = "someone", "*field 'keyid'*");
    }

    [Theory]
    [InlineData("e30")]
    [InlineData("e31=")]
    [InlineData("e3 0=")]
    [InlineData("e30=\n")]
    [InlineData("-_-_")]
    public void Non_canonical_base64_is_refused(string text)
    {
        Convert.FromBase64String("e30=").Should().Equal((byte)'{', (byte)'}');
        Refused(b => b["dsseEnvelope"]!["payload"] = text, "*dsseEnvelope: field 'payload': not canonical base64*");
        Refused(b => b["dsseEnvelope"]!["signatures"]![0]!["sig"] = text, "*dsseEnvelope.signatures[0]: field 'sig': not canonical base64*");
    }

    [Fact]
    public void Duplicate_json_keys_and_oversized_bundles_are_refused()
    {
        var duplicated = Encoding.UTF8.GetBytes("{\"mediaType\":\"a\",\"mediaType\":\"b\"}");
        var act = () => ModelSigningBundle.Verify(duplicated, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage("model.sig: not valid JSON*");
        var big = new byte[ModelSigningBundle.MaxBundleBytes + 1];
        act = () => ModelSigningBundle.Verify(big, bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage("model.sig: 1048577 bytes; a model-signing bundle is at most 1048576");
    }

    [Fact]
    public void Signing_refuses_bad_input()
    {
        var sign = (IReadOnlyList<ModelSigningResource> files) => ModelSigningBundle.Sign(files, "m", bundles.Key);
        FluentActions.Invoking(() => sign([new("a", TestBundles.Sha("a")), new("a", TestBundles.Sha("b"))])).Should().Throw<ArgumentException>().WithMessage("'a' is listed twice*");
        FluentActions.Invoking(() => sign([new("a", "sha256:" + TestBundles.Sha("a"))])).Should().Throw<ArgumentException>().WithMessage("*not 64 lowercase hex digits*");
        FluentActions.Invoking(() => sign([new("../a", TestBundles.Sha("a"))])).Should().Throw<ArgumentException>().WithMessage("*not a relative path*");
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        FluentActions.Invoking(() => ModelSigningBundle.Sign(TestBundles.Files, "m", p384)).Should().Throw<ArgumentException>().WithMessage("expected an ECDSA P-256 key*");
    }

    private void Refused(Action<JsonObject> edit, string message)
    {
        var act = () => ModelSigningBundle.Verify(TestBundles.Edit(bundles.Bundle, edit), bundles.Key);
        act.Should().Throw<MlacInputException>().WithMessage(message);
    }

    private static string RootOf(JsonArray resources) =>
        ModelSigningStatement.RootDigest(resources.Select(r => new ModelSigningResource((string)r!["name"]!, (string)r["digest"]!)));
}
