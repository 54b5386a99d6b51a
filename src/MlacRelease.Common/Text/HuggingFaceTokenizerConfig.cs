using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlacRelease.Common.Text;

/// <summary>
/// tokenizer_config.json and special_tokens_map.json, the two files beside tokenizer.json that Hugging Face loaders
/// read to pick the tokenizer class, its special tokens and the length they truncate to (transformers.js truncates
/// to model_max_length; Python's BertTokenizerFast rebuilds the normaliser when do_lower_case or strip_accents differ
/// from tokenizer.json's). A release's copies must therefore agree with its tokenizer.json, and
/// the checks below refuse any that do not.
/// </summary>
public static class HuggingFaceTokenizerConfig
{
    /// <summary>Both files are a few hundred bytes.</summary>
    public const int MaxBytes = 64 << 10;

    public static string TokenizerConfigJson(HuggingFaceTokenizerJson tokenizer) => Write(TokenizerConfig(tokenizer));

    public static string SpecialTokensMapJson(HuggingFaceTokenizerJson tokenizer) => Write(SpecialTokensMap(tokenizer));

    /// <summary>Throws naming the field when tokenizer_config.json says anything other than what this toolkit writes
    /// for <paramref name="tokenizer"/>; returns true otherwise.</summary>
    public static bool CheckTokenizerConfig(HuggingFaceTokenizerJson tokenizer, ReadOnlySpan<byte> utf8, string source)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        CanonicalJsonCheck.RequireSameFields(CanonicalJsonCheck.ParseObject(utf8, MaxBytes, source), TokenizerConfig(tokenizer), source);
        return true;
    }

    /// <summary>The same for special_tokens_map.json.</summary>
    public static bool CheckSpecialTokensMap(HuggingFaceTokenizerJson tokenizer, ReadOnlySpan<byte> utf8, string source)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        CanonicalJsonCheck.RequireSameFields(CanonicalJsonCheck.ParseObject(utf8, MaxBytes, source), SpecialTokensMap(tokenizer), source);
        return true;
    }

    private static JsonObject TokenizerConfig(HuggingFaceTokenizerJson tokenizer)
    {
        var settings = tokenizer.Settings;
        var config = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = settings.LowerCase,
            ["strip_accents"] = settings.StripAccents,
            ["tokenize_chinese_chars"] = true,
            ["do_basic_tokenize"] = true,
            ["model_max_length"] = settings.MaxLength,
            ["padding_side"] = "right",
            ["truncation_side"] = "right",
            ["clean_up_tokenization_spaces"] = true,
        };
        foreach (var (role, token) in Present(tokenizer)) config[role] = token;
        return config;
    }

    private static JsonObject SpecialTokensMap(HuggingFaceTokenizerJson tokenizer)
    {
        var map = new JsonObject();
        foreach (var (role, token) in Present(tokenizer)) map[role] = token;
        return map;
    }

    /// <summary>The special tokens the vocabulary holds ([MASK] may be absent from a small vocabulary).</summary>
    private static IEnumerable<(string Role, string Token)> Present(HuggingFaceTokenizerJson tokenizer) =>
        BertSpecialTokens.Roles.Where(r => tokenizer.Vocabulary.IdOf(r.Token) is not null);

    private static string Write(JsonObject node) =>
        node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
}
