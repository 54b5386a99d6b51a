using MlacRelease.Common.Release;

namespace MlacRelease.Inference.Tests;

/// <summary>ReleaseFolder serves only what was signed, and only files that agree with each other.</summary>
public sealed class ReleaseFolderTests : IDisposable
{
    private readonly LookupEncoderRelease _release = new();

    public void Dispose() => _release.Dispose();

    [Fact]
    public void A_signed_folder_opens_with_its_tokenizer_and_class_names()
    {
        var folder = ReleaseFolder.Open(_release.Folder, _release.PublicKey);
        folder.Signed.Should().BeTrue();
        folder.Tokenizer.Vocabulary.Tokens.Should().Equal(LookupEncoderRelease.Vocabulary);
        folder.Config.Labels.Should().Equal(LookupEncoderRelease.Labels);
    }

    [Fact]
    public void A_file_changed_after_signing_is_refused_naming_it()
    {
        var copy = _release.Copy("tampered");
        var path = Path.Combine(copy, ReleaseFileNames.Tokenizer);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"green\"", "\"grEen\"", StringComparison.Ordinal));
        var act = () => ReleaseFolder.Open(copy, _release.PublicKey);
        act.Should().Throw<ReleaseIntegrityException>().WithMessage($"*{ReleaseFileNames.Tokenizer}*");
    }

    [Fact]
    public void A_re_signed_tokenizer_config_that_disagrees_with_tokenizer_json_is_refused()
    {
        // Signed by the release key, so the digests hold; a Hugging Face consumer would lower-case nothing.
        var copy = _release.Copy("tokenizer-config");
        var path = Path.Combine(copy, ReleaseFileNames.TokenizerConfig);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"do_lower_case\": true", "\"do_lower_case\": false", StringComparison.Ordinal));
        File.ReadAllText(path).Should().Contain("\"do_lower_case\": false");
        _release.Resign(copy);
        var act = () => ReleaseFolder.Open(copy, _release.PublicKey);
        act.Should().Throw<ReleaseIntegrityException>().WithMessage($"*{ReleaseFileNames.TokenizerConfig}*refusing it*");
    }

    [Fact]
    public void Another_key_is_refused_as_a_signature_failure()
    {
        using var other = new TempFolder();
        Common.Integrity.SigningKeys.WriteKeyPair(other.File("other.key"), other.File("other.pub"));
        var act = () => ReleaseFolder.Open(_release.Folder, other.File("other.pub"));
        act.Should().Throw<ReleaseIntegrityException>().Where(e => e.IsSignatureFailure);
    }

    [Fact]
    public void The_model_bytes_served_are_the_verified_ones_even_if_the_file_changes_after_opening()
    {
        var copy = _release.Copy("swapped-later");
        var folder = ReleaseFolder.Open(copy, _release.PublicKey);
        var verified = File.ReadAllBytes(Path.Combine(copy, ReleaseFileNames.Model));
        File.WriteAllBytes(Path.Combine(copy, ReleaseFileNames.Model), [1, 2, 3]);
        folder.ModelBytes().Should().Equal(verified);
    }
}
