using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Text;

/// <summary>
/// tokenizer.json in the Hugging Face tokenizers library's format, for the one tokenizer this toolkit runs: BERT
/// WordPiece (BertNormalizer, BertPreTokenizer, WordPiece with "##" continuations, [CLS] text [SEP] by
/// TemplateProcessing, truncation to the maximum length). Hugging Face consumers (tokenizers, transformers,
/// transformers.js) and <see cref="BertTextTokenizer"/> read the same file, so both sides tokenise alike.
/// <para>Reading is strict: after taking the vocabulary, lower-casing, accent stripping and maximum length from the
/// file, the whole document must equal the one <see cref="ToJson"/> writes for them. Anything else (another model
/// type, an extra normaliser step, a token added with other flags) would make a Hugging Face consumer cut text
/// differently from this toolkit, so it is refused rather than half-understood.</para>
/// </summary>
public sealed record HuggingFaceTokenizerJson
{
    /// <summary>A 2-million-token vocabulary is about 50 MB of JSON; beyond this a file is refused unread.</summary>
    public const int MaxBytes = 64 << 20;

    public required WordPieceVocabulary Vocabulary { get; init; }

    public required TokenizerSettings Settings { get; init; }

    public string ToJson() => Document(Vocabulary, Settings.LowerCase, Settings.StripAccents, Settings.MaxLength)
        .ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    public static HuggingFaceTokenizerJson Parse(ReadOnlySpan<byte> utf8, string source)
    {
        var root = CanonicalJsonCheck.ParseObject(utf8, MaxBytes, source);
        var model = root["model"] as JsonObject ?? throw new MlacInputException($"{source}: field 'model': expected an object");
        if (model["type"]?.GetValueKind() != JsonValueKind.String || (string?)model["type"] != "WordPiece")
            throw new MlacInputException($"{source}: field 'model.type': expected \"WordPiece\" (this toolkit runs BERT WordPiece tokenizers only)");
        var vocabulary = ReadVocabulary(model["vocab"], source);
        var normalizer = root["normalizer"] as JsonObject ?? throw new MlacInputException($"{source}: field 'normalizer': expected an object");
        var lowercase = normalizer["lowercase"] is JsonValue l && l.TryGetValue(out bool lower) ? lower
            : throw new MlacInputException($"{source}: field 'normalizer.lowercase': expected true or false");
        // Hugging Face's null means "strip accents when lower-casing"; this toolkit writes the value out.
        var stripAccents = normalizer["strip_accents"] switch
        {
            null => (bool?)null,
            JsonValue s when s.TryGetValue(out bool strip) => strip,
            _ => throw new MlacInputException($"{source}: field 'normalizer.strip_accents': expected true, false or null"),
        };
        var maxLength = root["truncation"] is JsonObject t && t["max_length"] is JsonValue m && m.TryGetValue(out int max) ? max
            : throw new MlacInputException($"{source}: field 'truncation.max_length': expected an integer (a release truncates to its model's maximum length)");
        TokenizerSettings settings;
        try
        {
            settings = new TokenizerSettings { LowerCase = lowercase, StripAccents = stripAccents ?? lowercase, MaxLength = maxLength }.Validate();
        }
        catch (MlacInputException e)
        {
            throw new MlacInputException($"{source}: field 'truncation.max_length': {e.Message}", e);
        }

        CanonicalJsonCheck.RequireSameFields(root, Document(vocabulary, lowercase, stripAccents, maxLength), source);
        return new HuggingFaceTokenizerJson { Vocabulary = vocabulary, Settings = settings };
    }

    /// <summary>model.vocab: token → id, the ids exactly 0 … n−1.</summary>
    private static WordPieceVocabulary ReadVocabulary(JsonNode? node, string source)
    {
        if (node is not JsonObject vocab) throw new MlacInputException($"{source}: field 'model.vocab': expected an object of token → id");
        if (vocab.Count > WordPieceVocabulary.MaxTokens) throw new MlacInputException($"{source}: field 'model.vocab': more than {WordPieceVocabulary.MaxTokens:N0} tokens");
        var tokens = new string?[vocab.Count];
        foreach (var (token, idNode) in vocab)
        {
            if (idNode is not JsonValue v || !v.TryGetValue(out int id) || id < 0 || id >= tokens.Length)
                throw new MlacInputException($"{source}: field 'model.vocab': token '{token}' has id {idNode?.ToJsonString() ?? "null"}; ids must be 0 … {tokens.Length - 1}");
            if (tokens[id] is { } other) throw new MlacInputException($"{source}: field 'model.vocab': tokens '{other}' and '{token}' share id {id}");
            tokens[id] = token;
        }
        // Ids are distinct and in range, and there are as many as tokens: every slot is filled.
        return WordPieceVocabulary.FromTokens(tokens!, $"{source}: field 'model.vocab'");
    }

    private static JsonObject Document(WordPieceVocabulary vocabulary, bool lowercase, bool? stripAccents, int maxLength)
    {
        var cls = vocabulary.IdOf(BertSpecialTokens.Cls)!.Value;
        var sep = vocabulary.IdOf(BertSpecialTokens.Sep)!.Value;
        var added = new JsonArray();
        foreach (var (id, token) in BertSpecialTokens.Roles.Select(r => r.Token).Select(t => (Id: vocabulary.IdOf(t), Token: t)).Where(p => p.Id is not null).OrderBy(p => p.Id))
        {
            added.Add(new JsonObject
            {
                ["id"] = id, ["content"] = token, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }
        var vocab = new JsonObject();
        for (var id = 0; id < vocabulary.Count; id++) vocab[vocabulary.Tokens[id]] = id;
        static JsonObject Special(string token, int typeId) => new() { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = typeId } };
        static JsonObject Sequence(string which, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = which, ["type_id"] = typeId } };
        static JsonObject SpecialIds(string token, int id) => new() { ["id"] = token, ["ids"] = new JsonArray(id), ["tokens"] = new JsonArray(token) };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = new JsonObject { ["direction"] = "Right", ["max_length"] = maxLength, ["strategy"] = "LongestFirst", ["stride"] = 0 },
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = stripAccents, ["lowercase"] = lowercase,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special(BertSpecialTokens.Cls, 0), Sequence("A", 0), Special(BertSpecialTokens.Sep, 0)),
                ["pair"] = new JsonArray(Special(BertSpecialTokens.Cls, 0), Sequence("A", 0), Special(BertSpecialTokens.Sep, 0), Sequence("B", 1), Special(BertSpecialTokens.Sep, 1)),
                ["special_tokens"] = new JsonObject { [BertSpecialTokens.Cls] = SpecialIds(BertSpecialTokens.Cls, cls), [BertSpecialTokens.Sep] = SpecialIds(BertSpecialTokens.Sep, sep) },
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece", ["unk_token"] = BertSpecialTokens.Unknown, ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = vocab,
            },
        };
    }
}
