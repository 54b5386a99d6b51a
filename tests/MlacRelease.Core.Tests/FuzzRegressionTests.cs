using System.Security.Cryptography;
using System.Text;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Tests;

/// <summary>
/// Inputs the fuzz harnesses (tests/MlacRelease.Fuzz, release-checks/fuzz.sh) found that crashed a loader with an
/// exception other than its typed error. Each must now fail with the typed error, naming the file (and the field or
/// line where there is one). The inputs are minimal forms of the ones the fuzzer saved.
/// </summary>
public sealed class FuzzRegressionTests
{
    /// <summary>Bytes of a JSON string whose content is not UTF-8 (0xFF), and an escaped lone surrogate.</summary>
    private static byte[] InvalidUtf8(string before, string after) => [.. Encoding.UTF8.GetBytes(before), 0xff, 0xfe, .. Encoding.UTF8.GetBytes(after)];

    private const string LoneSurrogate = "\\ud800";

    [Fact]
    public void Config_json_with_a_repeated_field_names_the_file_not_an_argument_exception()
    {
        var parse = () => EncoderConfig.FromJson("{\"hidden_size\": 8, \"layer_norm_eps\": 1e-12, \"layer_norm_eps\": 1e-12}", "run/config.json");
        parse.Should().Throw<MlacInputException>().WithMessage("run/config.json*");
    }

    [Fact]
    public void Config_json_with_a_lone_surrogate_names_the_file()
    {
        var parse = () => EncoderConfig.FromJson("{\"hidden_act\": \"" + LoneSurrogate + "\"}", "run/config.json");
        parse.Should().Throw<MlacInputException>().WithMessage("run/config.json*");
    }

    [Theory]
    [InlineData("{\"text\": \"a " + LoneSurrogate + "\", \"desired\": \"nurse\", \"harmful\": \"f\"}", "*bios.jsonl:1*'text'*")]
    public void Jsonl_with_an_escaped_lone_surrogate_names_file_line_and_field(string line, string message)
    {
        var load = () => DatasetLoader.Load(new MemoryStream(Encoding.UTF8.GetBytes(line + "\n")), "bios.jsonl", new DatasetLoadOptions { Format = DatasetFileFormat.Jsonl });
        load.Should().Throw<DatasetFormatException>().WithMessage(message);
    }

    [Fact]
    public void Split_json_that_is_not_utf8_names_the_file()
    {
        var parse = () => SplitRecord.Parse(InvalidUtf8("{\"schema\": \"", "\"}"), "run/split.json");
        parse.Should().Throw<MlacInputException>().WithMessage("run/split.json: not valid UTF-8*");
    }

    [Fact]
    public void Release_files_that_are_not_text_name_the_file()
    {
        new Action(() => ReleaseModelConfig.Parse(InvalidUtf8("{\"model_type\": \"", "\"}"), "release/config.json"))
            .Should().Throw<MlacInputException>().WithMessage("release/config.json*");
        new Action(() => HuggingFaceTokenizerJson.Parse(InvalidUtf8("{\"version\": \"", "\"}"), "release/tokenizer.json"))
            .Should().Throw<MlacInputException>().WithMessage("release/tokenizer.json*");
        new Action(() => TokenizerSettingsJson.Parse("{\"do_lower_case\": \"" + LoneSurrogate + "\"}", "release/tokenizer_config.json"))
            .Should().Throw<MlacInputException>().WithMessage("release/tokenizer_config.json*");
        new Action(() => ReleaseManifest.Parse("{\"files\": [], \"files\": []}", "release/manifest.json"))
            .Should().Throw<MlacInputException>().WithMessage("release/manifest.json*");
        new Action(() => ReleaseManifest.Parse("{\"tool\": \"" + LoneSurrogate + "\"}", "release/manifest.json"))
            .Should().Throw<MlacInputException>().WithMessage("release/manifest.json*");
    }

    [Fact]
    public void Model_signing_bundle_and_statement_that_are_not_text_are_refused_as_invalid_data()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        new Action(() => ModelSigningBundle.Verify(InvalidUtf8("{\"mediaType\": \"", "\"}"), key, "release/model.sig"))
            .Should().Throw<MlacInputException>().WithMessage("release/model.sig*");
        new Action(() => ModelSigningStatement.Parse(InvalidUtf8("{\"_type\": \"", "\"}"), "hint", "release/model.sig payload"))
            .Should().Throw<MlacInputException>().WithMessage("release/model.sig payload*");
        new Action(() => ModelSigningStatement.Parse(Encoding.UTF8.GetBytes("{\"" + LoneSurrogate + "\": 1}"), "hint", "release/model.sig payload"))
            .Should().Throw<MlacInputException>().WithMessage("*field name*");
    }

    [Fact]
    public void Vocabulary_without_a_mask_token_names_the_file_and_the_token()
    {
        var build = () => new BertTextTokenizer("[PAD]\n[UNK]\n[CLS]\n[SEP]\nnurse\n", source: "model/vocab.txt");
        build.Should().Throw<MlacInputException>().WithMessage("model/vocab.txt: no '[MASK]' token*");
    }
}
