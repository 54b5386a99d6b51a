using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Text;

/// <summary>
/// Reads a small JSON document defensively (bounded size and depth, duplicate keys refused) and requires it to hold
/// exactly the fields of the document this toolkit would write for the same settings. Used for the Hugging Face
/// tokenizer files: a consumer reads every field, so a field we do not write, or write differently, is a divergence.
/// </summary>
public static class CanonicalJsonCheck
{
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8, int maxBytes, string source)
    {
        if (utf8.Length > maxBytes) throw new MlacInputException($"{source}: {utf8.Length:N0} bytes, more than the {maxBytes:N0} expected");
        JsonText.RequireDecodable(utf8, source);
        try
        {
            return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false }) as JsonObject
                ?? throw new MlacInputException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{source}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>Throws naming the first field that is missing, different or unknown.</summary>
    public static void RequireSameFields(JsonObject actual, JsonObject expected, string source)
    {
        foreach (var (field, node) in expected)
        {
            if (!actual.ContainsKey(field)) throw new MlacInputException($"{source}: field '{field}' is missing");
            if (!JsonNode.DeepEquals(actual[field], node))
                throw new MlacInputException($"{source}: field '{field}' disagrees with the tokenizer this release runs: expected {Short(node)}, got {Short(actual[field])}");
        }
        if (actual.Select(p => p.Key).FirstOrDefault(k => !expected.ContainsKey(k)) is { } unknown)
            throw new MlacInputException($"{source}: unknown field '{unknown}'");
    }

    /// <summary>A field's JSON for an error message, cut short (a vocabulary alone can be megabytes).</summary>
    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
