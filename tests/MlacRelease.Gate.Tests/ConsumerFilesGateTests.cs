using System.Text.Json.Nodes;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// A Hugging Face consumer (transformers.js, transformers, Optimum) computes with more than onnx/model.onnx: it
/// tokenises with tokenizer.json and the files beside it, reads config.json, and loads other files it finds in the
/// folder (onnx/model_quantized.onnx for dtype q8, vocab.txt, added_tokens.json). Each test changes only those, keeps
/// the certified model.onnx, re-hashes and re-signs with the release key, and the gate must refuse the release.
/// </summary>
[Collection(GateCollection.Name)]
public sealed class ConsumerFilesGateTests(GateFixture f)
{
    private GateResult Gate(string release) => ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);

    private static string PathIn(string release, string name) => Path.Combine(release, name);

    [Theory]
    // transformers.js loads this file instead of model.onnx for dtype 'q8' (model_fp16.onnx for 'fp16' …).
    [InlineData("onnx/model_quantized.onnx")]
    [InlineData("onnx/model_fp16.onnx")]
    // transformers' slow BertTokenizer reads vocab.txt; from_pretrained adds added_tokens.json's tokens to any tokenizer.
    [InlineData("vocab.txt")]
    [InlineData("added_tokens.json")]
    // sentence-transformers pools as modules.json and 1_Pooling/config.json say.
    [InlineData("modules.json")]
    [InlineData("1_Pooling/config.json")]
    public void A_listed_file_the_exporter_does_not_write_fails_the_manifest_check(string extra)
    {
        var release = GateAttackTests.Tampered(f, $"extra-{extra.Replace('/', '-')}", folder =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(PathIn(folder, extra))!);
            var content = extra.EndsWith(".onnx", StringComparison.Ordinal)
                ? File.ReadAllBytes(Path.Combine(f.ReleaseWithOtherCertificate, ReleaseFileNames.Model))
                : System.Text.Encoding.UTF8.GetBytes(extra == "vocab.txt" ? f.Vocabulary.Replace("w7\nw8", "w8\nw7", StringComparison.Ordinal) : "{\"w7\": 8}");
            File.WriteAllBytes(PathIn(folder, extra), content);
        });
        GateAttackTests.ShouldFailAt(Gate(release), "manifest digests", extra);
    }

    [Theory]
    // transformers.js applies a sigmoid instead of a softmax for a multi-label problem type.
    [InlineData("problem_type", "\"multi_label_classification\"")]
    [InlineData("hidden_act", "\"relu\"")]
    [InlineData("layer_norm_eps", "0.001")]
    [InlineData("max_position_embeddings", "16")]
    [InlineData("num_labels", "3")]
    [InlineData("pad_token_id", "1")]
    public void A_config_json_field_other_than_the_exporter_writes_fails(string field, string json)
    {
        GateAttackTests.ShouldFailAt(Gate(WithField(ReleaseFileNames.Config, field, json)), "consumer files", ReleaseFileNames.Config);
    }

    [Fact]
    public void Class_names_swapped_in_config_json_fail()
    {
        // id2label and label2id consistent with each other, but not the model's head: a consumer names the other class.
        var release = GateAttackTests.Tampered(f, "config-labels", folder =>
            File.WriteAllText(PathIn(folder, ReleaseFileNames.Config), ReleaseModelConfig.ToJson(GateFixture.Config.ToJson(), ["b", "a"])));
        GateAttackTests.ShouldFailAt(Gate(release), "consumer files", ReleaseFileNames.Config);
    }

    [Fact]
    public void A_cased_tokenizer_json_beside_an_uncased_model_fails()
    {
        // All three tokenizer files agree with each other (a cased tokenizer); the model records the uncased one.
        var cased = new HuggingFaceTokenizerJson { Vocabulary = WordPieceVocabulary.FromText(f.Vocabulary, "test"), Settings = new TokenizerSettings { LowerCase = false, StripAccents = false, MaxLength = 16 } };
        var release = GateAttackTests.Tampered(f, "tokenizer-cased", folder => WriteTokenizerFiles(folder, cased));
        GateAttackTests.ShouldFailAt(Gate(release), "consumer files", ReleaseFileNames.Tokenizer);
    }

    [Theory]
    [InlineData("truncation_side", "\"left\"")]
    [InlineData("model_max_length", "8")]
    [InlineData("do_lower_case", "false")]
    public void A_tokenizer_config_json_a_consumer_reads_differently_fails(string field, string json)
    {
        GateAttackTests.ShouldFailAt(Gate(WithField(ReleaseFileNames.TokenizerConfig, field, json)), "consumer files", ReleaseFileNames.TokenizerConfig);
    }

    [Fact]
    public void A_special_tokens_map_naming_another_token_fails()
    {
        var release = GateAttackTests.Tampered(f, "special-tokens", folder =>
            File.WriteAllText(PathIn(folder, ReleaseFileNames.SpecialTokensMap), "{\"unk_token\": \"w9\", \"sep_token\": \"[SEP]\", \"pad_token\": \"[PAD]\", \"cls_token\": \"[CLS]\", \"mask_token\": \"[MASK]\"}\n"));
        GateAttackTests.ShouldFailAt(Gate(release), "consumer files", ReleaseFileNames.SpecialTokensMap);
    }

    [Fact]
    public void A_permuted_vocabulary_fails_the_certified_weights_check()
    {
        // Two words swap ids in every tokenizer file: the files agree with each other and with the model's recorded
        // settings, but "w7" now reaches the embedding row certified for "w8". Only the certificate can tell.
        var permuted = new HuggingFaceTokenizerJson
        {
            Vocabulary = WordPieceVocabulary.FromText(f.Vocabulary.Replace("w7\nw8", "w8\nw7", StringComparison.Ordinal), "test"),
            Settings = new TokenizerSettings { MaxLength = 16 },
        };
        permuted.Vocabulary.Tokens.Should().NotEqual(WordPieceVocabulary.FromText(f.Vocabulary, "test").Tokens);
        var release = GateAttackTests.Tampered(f, "vocabulary-permuted", folder => WriteTokenizerFiles(folder, permuted));
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", "tokenizer");
    }

    [Fact]
    public void A_consistent_cased_release_of_the_certified_weights_fails_the_certified_weights_check()
    {
        // Exported by the project's own writer with a cased tokenizer: model metadata, tokenizer files and config all
        // agree, the weights are the certified ones; the certificate's data was tokenised uncased.
        using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var release = f.P($"copies/cased-export-{Guid.NewGuid():N}");
        f.WriteRelease(model, f.CertificatePath, release, tokenizer: new TokenizerSettings { LowerCase = false, StripAccents = false, MaxLength = 16 });
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", "tokenizer");
    }

    /// <summary>A copy of the release with one field of a JSON file set to <paramref name="json"/>, re-signed.</summary>
    private string WithField(string file, string field, string json) => GateAttackTests.Tampered(f, $"{file}-{field}", folder =>
    {
        var document = JsonNode.Parse(File.ReadAllText(PathIn(folder, file)))!.AsObject();
        document[field] = JsonNode.Parse(json);
        File.WriteAllText(PathIn(folder, file), document.ToJsonString());
    });

    private static void WriteTokenizerFiles(string folder, HuggingFaceTokenizerJson tokenizer)
    {
        File.WriteAllText(PathIn(folder, ReleaseFileNames.Tokenizer), tokenizer.ToJson());
        File.WriteAllText(PathIn(folder, ReleaseFileNames.TokenizerConfig), HuggingFaceTokenizerConfig.TokenizerConfigJson(tokenizer));
        File.WriteAllText(PathIn(folder, ReleaseFileNames.SpecialTokensMap), HuggingFaceTokenizerConfig.SpecialTokensMapJson(tokenizer));
    }
}
