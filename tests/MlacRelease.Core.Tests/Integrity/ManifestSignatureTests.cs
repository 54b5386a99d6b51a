using MlacRelease.Common.Integrity;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Tests.Integrity;

public sealed class ManifestSignatureTests : IDisposable
{
    private readonly TempFolder _folder = new("mlac-sig-");

    public void Dispose() => _folder.Dispose();

    private string P(string name) => Path.Combine(_folder.Path, name);

    [Fact]
    public void A_signed_manifest_verifies_and_any_change_or_other_key_fails()
    {
        File.WriteAllText(P("manifest.json"), "{\"files\":{\"model.onnx\":\"sha256:00\"}}");
        SigningKeys.WriteKeyPair(P("release.key"), P("release.pub"));
        SigningKeys.WriteKeyPair(P("other.key"), P("other.pub"));
        var signature = ManifestSignature.Sign(P("manifest.json"), P("release.key"));
        signature.KeyId.Should().HaveLength(16);

        ManifestSignature.Verify(P("manifest.json"), P("manifest.sig"), P("release.pub")).Valid.Should().BeTrue();

        var wrongKey = ManifestSignature.Verify(P("manifest.json"), P("manifest.sig"), P("other.pub"));
        wrongKey.Valid.Should().BeFalse();
        wrongKey.Reason.Should().Contain("signed by key");

        File.WriteAllText(P("manifest.json"), "{\"files\":{\"model.onnx\":\"sha256:01\"}}");
        var altered = ManifestSignature.Verify(P("manifest.json"), P("manifest.sig"), P("release.pub"));
        altered.Valid.Should().BeFalse();
        altered.Reason.Should().Contain("manifest_sha256").And.Contain("altered");
    }

    [Theory]
    [InlineData("spacing", "\"key_id\":", "\"key_id\" :")]
    [InlineData("unknown field", "{", "{\"comment\": \"x\",")]
    [InlineData("recorded digest", "\"manifest_sha256\": \"sha256:", "\"manifest_sha256\": \"sha256:0")]
    public void A_signature_file_that_is_not_exactly_what_sign_writes_is_refused(string what, string find, string replace)
    {
        File.WriteAllText(P("manifest.json"), "{\"files\": []}\n");
        SigningKeys.WriteKeyPair(P("k.key"), P("k.pub"));
        ManifestSignature.Sign(P("manifest.json"), P("k.key"));
        ManifestSignature.Verify(P("manifest.json"), P("manifest.sig"), P("k.pub")).Valid.Should().BeTrue();
        var text = File.ReadAllText(P("manifest.sig"));
        var changed = new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(find)).Replace(text, replace, 1);
        changed.Should().NotBe(text, what);
        File.WriteAllText(P("manifest.sig"), changed);
        var result = ManifestSignature.Verify(P("manifest.json"), P("manifest.sig"), P("k.pub"));
        result.Valid.Should().BeFalse(what);
    }

    [Fact]
    public void A_non_canonical_base64_spelling_of_a_valid_signature_is_refused()
    {
        File.WriteAllText(P("manifest.json"), "{}");
        SigningKeys.WriteKeyPair(P("k.key"), P("k.pub"));
        var signature = ManifestSignature.Sign(P("manifest.json"), P("k.key"));
        // 64 bytes → 86 base64 characters + "=="; the last character carries 2 unused bits.
        var b64 = signature.Signature;
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var last = alphabet.IndexOf(b64[^3]);
        var sibling = b64[..^3] + alphabet[last ^ 1] + "==";
        Convert.FromBase64String(sibling).Should().Equal(Convert.FromBase64String(b64), "the sibling decodes to the same bytes");
        File.WriteAllBytes(P("manifest.sig"), (signature with { Signature = sibling }).ToBytes());
        var result = ManifestSignature.Verify(P("manifest.json"), P("manifest.sig"), P("k.pub"));
        result.Valid.Should().BeFalse();
        result.Reason.Should().Contain("canonical base64");
    }

    [Fact]
    public void Keys_are_not_overwritten_and_bad_key_files_are_named()
    {
        SigningKeys.WriteKeyPair(P("a.key"), P("a.pub"));
        ((Action)(() => SigningKeys.WriteKeyPair(P("a.key"), P("b.pub")))).Should().Throw<IOException>().WithMessage("*refusing*");
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(P("a.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(P("junk.pub"), "not a key");
        ((Action)(() => SigningKeys.LoadPublic(P("junk.pub")))).Should().Throw<MlacInputException>().WithMessage($"*junk.pub*");
        File.WriteAllText(P("manifest.json"), "{}");
        ((Action)(() => ManifestSignature.Sign(P("manifest.json"), P("a.pub")))).Should().Throw<MlacInputException>().WithMessage("*private key*");
    }
}
