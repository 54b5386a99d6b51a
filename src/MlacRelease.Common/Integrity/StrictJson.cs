using System.Text.Json;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// Field access for the signed-metadata readers: every value must have its expected JSON type, objects may hold only
/// the fields a reader knows, base64 must be canonical, and every error names <c>where</c> and the field.
/// </summary>
internal static class StrictJson
{
    public static JsonDocumentOptions Options { get; } = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string where)
    {
        Text.JsonText.RequireDecodable(json.Span, where);
        try
        {
            return JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{where}: not valid JSON ({e.Message})", e);
        }
    }

    public static void OnlyFields(JsonElement obj, string where, params ReadOnlySpan<string> known)
    {
        RequireKind(obj, JsonValueKind.Object, where, "an object");
        foreach (var property in obj.EnumerateObject())
        {
            if (!known.Contains(property.Name))
                throw new MlacInputException($"{where}: unknown field '{property.Name}' (expected only {string.Join(", ", known.ToArray())})");
        }
    }

    public static JsonElement Field(JsonElement obj, string field, string where, JsonValueKind kind) =>
        obj.TryGetProperty(field, out var value)
            ? RequireKind(value, kind, $"{where}: field '{field}'", "a JSON " + kind.ToString().ToLowerInvariant())
            : throw new MlacInputException($"{where}: field '{field}' is missing");

    public static string String(JsonElement obj, string field, string where) =>
        Field(obj, field, where, JsonValueKind.String).GetString()!;

    /// <summary>The string field when present, or null.</summary>
    public static string? OptionalString(JsonElement obj, string field, string where) =>
        obj.TryGetProperty(field, out _) ? String(obj, field, where) : null;

    public static string Constant(JsonElement obj, string field, string expected, string where)
    {
        var value = String(obj, field, where);
        return string.Equals(value, expected, StringComparison.Ordinal) ? value
            : throw new MlacInputException($"{where}: field '{field}': expected \"{expected}\", got \"{value}\"");
    }

    public static bool Boolean(JsonElement obj, string field, string where) =>
        obj.TryGetProperty(field, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new MlacInputException($"{where}: field '{field}': expected true or false");

    /// <summary>Standard base64 with padding and nothing else: decoding and re-encoding must give the same text.</summary>
    public static byte[] Base64(JsonElement obj, string field, string where, int maxBytes)
    {
        var text = String(obj, field, where);
        if (text.Length > (maxBytes + 2) / 3 * 4) throw new MlacInputException($"{where}: field '{field}': longer than {maxBytes} bytes");
        var bytes = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written)
            || !string.Equals(Convert.ToBase64String(bytes.AsSpan(0, written)), text, StringComparison.Ordinal))
        {
            throw new MlacInputException($"{where}: field '{field}': not canonical base64 (standard alphabet, '=' padding, no whitespace)");
        }
        return bytes[..written];
    }

    private static JsonElement RequireKind(JsonElement value, JsonValueKind kind, string where, string what) =>
        value.ValueKind == kind ? value : throw new MlacInputException($"{where}: expected {what}, got {value.ValueKind.ToString().ToLowerInvariant()}");
}
