using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.Text;

namespace MlacRelease.Common.Release;

/// <summary>
/// tokenizer.json of a release folder: our <see cref="TokenizerSettings"/>, the vocabulary file it applies to and
/// the special tokens with their ids. The ids let a reader notice a vocabulary that does not belong to the model.
/// (The name matches Hugging Face's file, but the content is this toolkit's schema, marked by "schema".)
/// </summary>
public sealed record TokenizerFile
{
    public const string Schema = "mlac.tokenizer.v1";
    public const string WordPieceType = "bert-wordpiece";

    public required TokenizerSettings Settings { get; init; }

    public string Vocabulary { get; init; } = ReleaseFileNames.Vocabulary;

    /// <summary>Role ("cls", "sep", "pad", "unk") → (token, id).</summary>
    public required IReadOnlyDictionary<string, (string Token, int Id)> SpecialTokens { get; init; }

    /// <summary>Describes what <paramref name="tokenizer"/> does, with the standard BERT special-token strings.</summary>
    public static TokenizerFile Describe(BertTextTokenizer tokenizer) => new()
    {
        Settings = tokenizer.Settings,
        SpecialTokens = new Dictionary<string, (string, int)>(StringComparer.Ordinal)
        {
            ["cls"] = ("[CLS]", tokenizer.ClsId),
            ["sep"] = ("[SEP]", tokenizer.SepId),
            ["pad"] = ("[PAD]", tokenizer.PadId),
            ["unk"] = ("[UNK]", tokenizer.UnknownId),
        },
    };

    /// <summary>Throws when <paramref name="tokenizer"/> (built from the folder's vocabulary) disagrees with the recorded ids.</summary>
    public void CheckMatches(BertTextTokenizer tokenizer, string source)
    {
        var actual = Describe(tokenizer).SpecialTokens;
        foreach (var (role, (token, id)) in SpecialTokens)
        {
            if (actual.TryGetValue(role, out var have) && have.Id != id)
                throw new InvalidDataException($"{source}: special token {token} ({role}) has id {id}, but the vocabulary gives {have.Id}: the vocabulary does not belong to this tokenizer");
        }
    }

    public static string SettingsToJson(TokenizerSettings settings) => SettingsNode(settings).ToJsonString();

    public string ToJson()
    {
        var special = new JsonObject();
        foreach (var (role, (token, id)) in SpecialTokens.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            special[role] = new JsonObject { ["token"] = token, ["id"] = id };
        }
        var root = SettingsNode(Settings);
        root.Insert(0, "schema", Schema);
        root.Insert(1, "type", WordPieceType);
        root.Insert(2, "vocabulary", Vocabulary);
        root["special_tokens"] = special;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    public static TokenizerFile Parse(string json, string source = ReleaseFileNames.Tokenizer)
    {
        var obj = ParseObject(json, source);
        var schema = obj["schema"] is JsonValue s && s.TryGetValue(out string? schemaName) ? schemaName : null;
        if (schema != Schema) throw new InvalidDataException($"{source}: field 'schema': expected \"{Schema}\", got {(schema is null ? "nothing" : $"\"{schema}\"")}");
        var type = obj["type"] is JsonValue t && t.TryGetValue(out string? typeName) ? typeName : null;
        if (type != WordPieceType) throw new InvalidDataException($"{source}: field 'type': expected \"{WordPieceType}\", got \"{type}\"");
        var vocabulary = obj["vocabulary"] is JsonValue v && v.TryGetValue(out string? vocab) ? vocab
            : throw new InvalidDataException($"{source}: field 'vocabulary': expected a file name");
        ReleaseManifest.CheckPlainFileName(vocabulary, $"{source}: field 'vocabulary'");
        var special = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        if (obj["special_tokens"] is JsonObject tokens)
        {
            foreach (var (role, node) in tokens)
            {
                if (node is not JsonObject entry || entry["token"] is not JsonValue tv || !tv.TryGetValue(out string? token)
                    || entry["id"] is not JsonValue iv || !iv.TryGetValue(out int id))
                {
                    throw new InvalidDataException($"{source}: special_tokens.{role}: expected {{\"token\": string, \"id\": integer}}");
                }
                special[role] = (token, id);
            }
        }
        return new TokenizerFile { Settings = ParseSettings(obj, source), Vocabulary = vocabulary, SpecialTokens = special };
    }

    public static TokenizerSettings SettingsFromJson(string json, string source) => ParseSettings(ParseObject(json, source), source);

    private static JsonObject SettingsNode(TokenizerSettings settings) => new()
    {
        ["lower_case"] = settings.LowerCase,
        ["strip_accents"] = settings.StripAccents,
        ["max_length"] = settings.MaxLength,
    };

    private static TokenizerSettings ParseSettings(JsonObject obj, string source)
    {
        bool Bool(string field) => obj[field] is JsonValue b && b.TryGetValue(out bool value) ? value
            : throw new InvalidDataException($"{source}: field '{field}': expected true or false");
        var maxLength = obj["max_length"] is JsonValue m && m.TryGetValue(out int n) ? n
            : throw new InvalidDataException($"{source}: field 'max_length': expected an integer");
        try
        {
            return new TokenizerSettings { LowerCase = Bool("lower_case"), StripAccents = Bool("strip_accents"), MaxLength = maxLength }.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    private static JsonObject ParseObject(string json, string source)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) as JsonObject
                ?? throw new InvalidDataException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e);
        }
    }
}
