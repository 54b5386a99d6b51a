using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Text;

/// <summary>
/// <see cref="TokenizerSettings"/> as the small JSON object the exporter records in the ONNX model's metadata
/// ("mlac.tokenizer"), so a model names the tokenisation it was validated with; the release's tokenizer.json must agree.
/// </summary>
public static class TokenizerSettingsJson
{
    public static string ToJson(TokenizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new JsonObject
        {
            ["lower_case"] = settings.LowerCase,
            ["strip_accents"] = settings.StripAccents,
            ["max_length"] = settings.MaxLength,
        }.ToJsonString();
    }

    public static TokenizerSettings Parse(string json, string source)
    {
        JsonText.RequireDecodable(json, source);
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false }) as JsonObject
                ?? throw new MlacInputException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{source}: not valid JSON ({e.Message})", e);
        }
        bool Bool(string field) => obj[field] is JsonValue b && b.TryGetValue(out bool value) ? value
            : throw new MlacInputException($"{source}: field '{field}': expected true or false");
        var maxLength = obj["max_length"] is JsonValue m && m.TryGetValue(out int n) ? n
            : throw new MlacInputException($"{source}: field 'max_length': expected an integer");
        try
        {
            return new TokenizerSettings { LowerCase = Bool("lower_case"), StripAccents = Bool("strip_accents"), MaxLength = maxLength }.Validate();
        }
        catch (MlacInputException e)
        {
            throw new MlacInputException($"{source}: {e.Message}", e);
        }
    }
}
