using MlacRelease.Common.Release;
using MlacRelease.Common.Text;

namespace MlacRelease.Export.Tests;

/// <summary>manifest.json and tokenizer.json: stable bytes, strict reading with errors that name the field.</summary>
public sealed class ManifestAndTokenizerFileTests
{
    private const string Sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_manifest_round_trips_and_lists_files_in_ordinal_order()
    {
        var manifest = new ReleaseManifest
        {
            ToolVersion = "0.1.0",
            Files = [new("vocab.txt", Sha, 10), new("MODEL_CARD.md", Sha, 3), new("model.onnx", Sha, 99)],
        };
        var json = manifest.ToJson();
        json.IndexOf("MODEL_CARD.md", StringComparison.Ordinal).Should().BeLessThan(json.IndexOf("model.onnx", StringComparison.Ordinal));
        var parsed = ReleaseManifest.Parse(json);
        parsed.Files.Should().BeEquivalentTo(manifest.Files);
        parsed.ToJson().Should().Be(json);
    }

    [Theory]
    [InlineData("""{"schema_version": 2, "tool_version": "x", "files": []}""", "*schema_version 2 is not supported*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "a", "sha256": "sha256:00", "size": 1}]}""", "*files[0] ('a'): field 'sha256'*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "sub/a", "sha256": "SHA", "size": 1}]}""", "*'sub/a' is not a plain file name*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "manifest.json", "sha256": "SHA", "size": 1}]}""", "*cannot list itself*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "a", "sha256": "SHA", "size": 1}, {"path": "a", "sha256": "SHA", "size": 1}]}""", "*'a' is listed twice*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "a", "sha256": "SHA", "size": -1}]}""", "*'size' is negative*")]
    [InlineData("""{"schema_version": 1, "files": []}""", "*'tool_version'*")]
    [InlineData("""[1, 2]""", "*expected a JSON object*")]
    [InlineData("""{"schema_version": 1,""", "*not valid JSON*")]
    public void A_bad_manifest_is_refused_naming_the_field(string json, string message)
    {
        var parse = () => ReleaseManifest.Parse(json.Replace("SHA", Sha), "release/manifest.json");
        parse.Should().Throw<InvalidDataException>().WithMessage("release/manifest.json*").WithMessage(message);
    }

    [Fact]
    public void Tokenizer_json_round_trips_and_rejects_foreign_files()
    {
        var file = new TokenizerFile
        {
            Settings = new TokenizerSettings { LowerCase = false, StripAccents = false, MaxLength = 256 },
            SpecialTokens = new Dictionary<string, (string, int)> { ["cls"] = ("[CLS]", 101), ["pad"] = ("[PAD]", 0) },
        };
        var parsed = TokenizerFile.Parse(file.ToJson());
        parsed.Settings.Should().Be(file.Settings);
        parsed.SpecialTokens.Should().BeEquivalentTo(file.SpecialTokens);

        ((Action)(() => TokenizerFile.Parse("""{"version": "1.0", "model": {"type": "WordPiece"}}""")))
            .Should().Throw<InvalidDataException>().WithMessage("*field 'schema'*mlac.tokenizer.v1*");
        ((Action)(() => TokenizerFile.Parse(file.ToJson().Replace("256", "1"))))
            .Should().Throw<InvalidDataException>().WithMessage("*max length must be*");
        ((Action)(() => TokenizerFile.Parse(file.ToJson().Replace("\"vocab.txt\"", "\"../../etc/passwd\""))))
            .Should().Throw<InvalidDataException>().WithMessage("*not a plain file name*");
    }
}
