using MlacRelease.Common.Integrity;

namespace MlacRelease.Core.Tests.Integrity;

public sealed class ManifestSignatureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlac-sig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string P(string name) => Path.Combine(_folder, name);

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
        altered.Reason.Should().Contain("does not match");
    }

    [Fact]
    public void Keys_are_not_overwritten_and_bad_key_files_are_named()
    {
        SigningKeys.WriteKeyPair(P("a.key"), P("a.pub"));
        ((Action)(() => SigningKeys.WriteKeyPair(P("a.key"), P("b.pub")))).Should().Throw<IOException>().WithMessage("*refusing*");
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(P("a.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(P("junk.pub"), "not a key");
        ((Action)(() => SigningKeys.LoadPublic(P("junk.pub")))).Should().Throw<InvalidDataException>().WithMessage($"*junk.pub*");
        File.WriteAllText(P("manifest.json"), "{}");
        ((Action)(() => ManifestSignature.Sign(P("manifest.json"), P("a.pub")))).Should().Throw<InvalidDataException>().WithMessage("*private key*");
    }
}
