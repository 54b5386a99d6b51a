using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Export.Tests;

/// <summary>manifest.json, tokenizer.json and the Hugging Face files beside it: stable bytes, strict reading with errors that name the field.</summary>
public sealed class ManifestAndTokenizerFileTests
{
    private const string Sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_manifest_round_trips_and_lists_files_in_ordinal_order()
    {
        var manifest = new ReleaseManifest
        {
            ToolVersion = "0.1.0",
            Files = [new("tokenizer.json", Sha, 10), new("README.md", Sha, 3), new("onnx/model.onnx", Sha, 99)],
        };
        var json = manifest.ToJson();
        json.IndexOf("README.md", StringComparison.Ordinal).Should().BeLessThan(json.IndexOf("onnx/model.onnx", StringComparison.Ordinal));
        var parsed = ReleaseManifest.Parse(json);
        parsed.Files.Should().BeEquivalentTo(manifest.Files);
        parsed.ToJson().Should().Be(json);
    }

    [Theory]
    [InlineData("""{"schema_version": 2, "tool_version": "x", "files": []}""", "*schema_version 2 is not supported*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "a", "sha256": "sha256:00", "size": 1}]}""", "*files[0] ('a'): field 'sha256'*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "sub/a/b", "sha256": "SHA", "size": 1}]}""", "*'sub/a/b' lies more than 1 sub-folder deep*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "onnx/..", "sha256": "SHA", "size": 1}]}""", "*'onnx/..' is not a plain file name*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "../a", "sha256": "SHA", "size": 1}]}""", "*'../a' is not a plain file name*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "/a", "sha256": "SHA", "size": 1}]}""", "*'/a' is not a plain file name*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "onnx\\a", "sha256": "SHA", "size": 1}]}""", "*is not a plain file name*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "onnx", "sha256": "SHA", "size": 1}, {"path": "onnx/a", "sha256": "SHA", "size": 1}]}""", "*'onnx' is listed as a file and as the folder of 'onnx/a'*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "manifest.json", "sha256": "SHA", "size": 1}]}""", "*cannot list itself*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "a", "sha256": "SHA", "size": 1}, {"path": "a", "sha256": "SHA", "size": 1}]}""", "*'a' is listed twice*")]
    [InlineData("""{"schema_version": 1, "tool_version": "x", "files": [{"path": "a", "sha256": "SHA", "size": -1}]}""", "*'size' is negative*")]
    [InlineData("""{"schema_version": 1, "files": []}""", "*'tool_version'*")]
    [InlineData("""[1, 2]""", "*expected a JSON object*")]
    [InlineData("""{"schema_version": 1,""", "*not valid JSON*")]
    public void A_bad_manifest_is_refused_naming_the_field(string json, string message)
    {
        var parse = () => ReleaseManifest.Parse(json.Replace("SHA", Sha), "release/manifest.json");
        parse.Should().Throw<MlacInputException>().WithMessage("release/manifest.json*").WithMessage(message);
    }

    private static readonly WordPieceVocabulary Vocabulary = WordPieceVocabulary.FromText("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##lo\n", "test vocabulary");

    private static HuggingFaceTokenizerJson Tokenizer(TokenizerSettings? settings = null) => new() { Vocabulary = Vocabulary, Settings = settings ?? new TokenizerSettings() };

    private static HuggingFaceTokenizerJson Parse(string json) => HuggingFaceTokenizerJson.Parse(System.Text.Encoding.UTF8.GetBytes(json), "release/tokenizer.json");

    [Fact]
    public void Tokenizer_json_is_the_tokenizers_library_format_and_round_trips()
    {
        var file = Tokenizer(new TokenizerSettings { LowerCase = false, StripAccents = false, MaxLength = 256 });
        var json = file.ToJson();
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        ((string)root["normalizer"]!["type"]!).Should().Be("BertNormalizer");
        ((bool)root["normalizer"]!["lowercase"]!).Should().BeFalse();
        ((string)root["pre_tokenizer"]!["type"]!).Should().Be("BertPreTokenizer");
        ((string)root["model"]!["type"]!).Should().Be("WordPiece");
        ((int)root["model"]!["vocab"]!["##lo"]!).Should().Be(6);
        ((string)root["post_processor"]!["type"]!).Should().Be("TemplateProcessing");
        root["post_processor"]!["special_tokens"]!["[CLS]"]!["ids"]![0]!.GetValue<int>().Should().Be(2);
        ((int)root["truncation"]!["max_length"]!).Should().Be(256);
        var parsed = Parse(json);
        parsed.Settings.Should().Be(file.Settings);
        parsed.Vocabulary.Tokens.Should().Equal(Vocabulary.Tokens);
        parsed.ToJson().Should().Be(json);
    }

    [Fact]
    public void Hugging_Face_null_strip_accents_follows_lower_casing()
    {
        var json = Tokenizer().ToJson().Replace("\"strip_accents\": true", "\"strip_accents\": null", StringComparison.Ordinal);
        json.Should().Contain("\"strip_accents\": null");
        Parse(json).Settings.StripAccents.Should().BeTrue();
    }

    [Theory]
    [InlineData("\"BertNormalizer\"", "\"NFC\"", "*field 'normalizer'*")]
    [InlineData("\"BertPreTokenizer\"", "\"Whitespace\"", "*field 'pre_tokenizer'*")]
    [InlineData("\"type\": \"WordPiece\",\n    \"unk_token\"", "\"type\": \"BPE\",\n    \"unk_token\"", "*'model.type'*WordPiece*")]
    [InlineData("\"max_length\": 128", "\"max_length\": 1", "*max length must be*")]
    [InlineData("\"truncation\": {", "\"truncation\": null, \"x\": {", "*'truncation.max_length'*")]
    [InlineData("\"special\": true", "\"special\": false", "*field 'added_tokens'*")]
    [InlineData("\"##lo\": 6", "\"##lo\": 5", "*share id 5*")]
    [InlineData("\"##lo\": 6", "\"##lo\": 7", "*ids must be 0 … 6*")]
    [InlineData("\"##lo\": 6", "\"##lo\": 6, \"##lo\": 6", "*not valid JSON*")]
    [InlineData("\"version\": \"1.0\",", "\"version\": \"1.0\", \"extra\": 1,", "*unknown field 'extra'*")]
    [InlineData("\"ids\": [\n          2", "\"ids\": [\n          3", "*field 'post_processor'*")]
    public void A_tokenizer_json_this_toolkit_would_not_tokenise_alike_is_refused(string from, string to, string message)
    {
        var json = Tokenizer().ToJson();
        json.Should().Contain(from);
        ((Action)(() => Parse(json.Replace(from, to, StringComparison.Ordinal)))).Should().Throw<MlacInputException>()
            .WithMessage("release/tokenizer.json*").WithMessage(message);
    }

    [Fact]
    public void The_old_project_schema_and_bad_vocabularies_are_refused()
    {
        ((Action)(() => Parse("""{"schema": "mlac.tokenizer.v1", "type": "bert-wordpiece", "vocabulary": "vocab.txt"}""")))
            .Should().Throw<MlacInputException>().WithMessage("*field 'model'*");
        ((Action)(() => WordPieceVocabulary.FromText("[PAD]\n[UNK]\n[CLS]\n[SEP]\nsp ace\n \n", "v"))).Should().Throw<MlacInputException>().WithMessage("v: line 6*whitespace*");
        ((Action)(() => WordPieceVocabulary.FromText("[PAD]\r\r\n[UNK]\n[CLS]\n[SEP]\n", "v"))).Should().Throw<MlacInputException>().WithMessage("v: line 1*control character*");
        WordPieceVocabulary.FromText("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]", "v").Tokens.Should().Equal("[PAD]", "[UNK]", "[CLS]", "[SEP]");
        ((Action)(() => WordPieceVocabulary.FromText("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[PAD]\n", "v"))).Should().Throw<MlacInputException>().WithMessage("v: line 5*already has id 0*");
        ((Action)(() => WordPieceVocabulary.FromText("[PAD]\n[UNK]\n[CLS]\n", "v"))).Should().Throw<MlacInputException>().WithMessage("*no [SEP] token*");
    }

    [Fact]
    public void The_files_beside_tokenizer_json_must_agree_with_it()
    {
        var file = Tokenizer();
        byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
        var config = HuggingFaceTokenizerConfig.TokenizerConfigJson(file);
        var map = HuggingFaceTokenizerConfig.SpecialTokensMapJson(file);
        config.Should().Contain("\"tokenizer_class\": \"BertTokenizer\"").And.Contain("\"model_max_length\": 128").And.Contain("\"do_lower_case\": true");
        map.Should().Contain("\"cls_token\": \"[CLS]\"").And.Contain("\"mask_token\": \"[MASK]\"");
        HuggingFaceTokenizerConfig.CheckTokenizerConfig(file, Bytes(config), "tokenizer_config.json").Should().BeTrue();
        HuggingFaceTokenizerConfig.CheckSpecialTokensMap(file, Bytes(map), "special_tokens_map.json").Should().BeTrue();

        // transformers.js truncates to model_max_length, so a different length would cut long texts differently.
        ((Action)(() => HuggingFaceTokenizerConfig.CheckTokenizerConfig(file, Bytes(config.Replace("128", "512")), "tokenizer_config.json")))
            .Should().Throw<MlacInputException>().WithMessage("tokenizer_config.json: field 'model_max_length'*expected 128, got 512*");
        ((Action)(() => HuggingFaceTokenizerConfig.CheckTokenizerConfig(file, Bytes(config.Replace("\"do_lower_case\": true", "\"do_lower_case\": false")), "tokenizer_config.json")))
            .Should().Throw<MlacInputException>().WithMessage("*field 'do_lower_case'*");
        ((Action)(() => HuggingFaceTokenizerConfig.CheckSpecialTokensMap(file, Bytes(map.Replace("[MASK]", "<mask>")), "special_tokens_map.json")))
            .Should().Throw<MlacInputException>().WithMessage("*field 'mask_token'*");
    }

    [Fact]
    public void Config_json_carries_the_heads_labels_both_ways()
    {
        const string encoder = """{"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 8}""";
        var json = ReleaseModelConfig.ToJson(encoder, ["nurse", "surgeon"]);
        json.Should().Contain("\"BertForSequenceClassification\"").And.Contain("\"id2label\"").And.Contain("\"label2id\"");
        byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
        ReleaseModelConfig.Parse(Bytes(json), "config.json").Labels.Should().Equal("nurse", "surgeon");
        ReleaseModelConfig.Parse(Bytes(ReleaseModelConfig.ToJson(encoder, null)), "config.json").Labels.Should().BeNull();
        ((Action)(() => ReleaseModelConfig.Parse(Bytes(json.Replace("\"surgeon\": 1", "\"surgeon\": 0")), "config.json")))
            .Should().Throw<MlacInputException>().WithMessage("config.json: field 'label2id' is not the inverse*");
        ((Action)(() => ReleaseModelConfig.Parse(Bytes(json.Replace("\"bert\"", "\"gpt2\"")), "config.json")))
            .Should().Throw<MlacInputException>().WithMessage("*model_type*");
        ((Action)(() => ReleaseModelConfig.ToJson(encoder, ["a", "a"]))).Should().Throw<MlacInputException>().WithMessage("*distinct*");
    }
}
