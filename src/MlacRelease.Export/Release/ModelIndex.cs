using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlacRelease.Export.Release;

/// <summary>
/// The model card's <c>model-index</c> (Hugging Face's machine-readable results): one result per attacker data size
/// from the certificate's <c>worst_case.by_size</c>, with the attacker's best harmful-task accuracy on this model, on
/// the pretrained original and on a random-init twin, and the blocking score. The certificate stays opaque JSON (its
/// schema belongs to Certification): a field that is absent or not a finite number is left out, never guessed.
/// Every string is written as a JSON string, which YAML reads as a double-quoted scalar, so no certificate content
/// can break out of the front matter.
/// </summary>
public static class ModelIndex
{
    private static readonly (string Field, string Type, string Name)[] Metrics =
    [
        ("blocking_score", "blocking_score", "Blocking score (1 = as hard as training from scratch)"),
        ("model_accuracy", "accuracy", "Attacker's best harmful-task accuracy on this model"),
        ("pretrained_accuracy", "accuracy", "Attacker's best harmful-task accuracy on the pretrained original"),
        ("random_init_accuracy", "accuracy", "Attacker's best harmful-task accuracy on a random-init twin"),
    ];

    /// <summary>The model-index block, or an empty string when the certificate gives no results to list.</summary>
    public static string Render(string modelName, JsonObject? certificate)
    {
        if (certificate?["worst_case"]?["by_size"] is not JsonArray bySize) return "";
        var dataset = certificate["context"]?["data"]?["dataset_digest"] is JsonValue d && d.TryGetValue(out string? digest) ? digest : null;
        var results = new StringBuilder();
        foreach (var entry in bySize.OfType<JsonObject>())
        {
            var size = entry["data_size"] switch
            {
                JsonValue v when v.TryGetValue(out int n) => n.ToString(CultureInfo.InvariantCulture),
                JsonValue v when v.TryGetValue(out string? s) && s == "all" => "all",
                _ => null,
            };
            if (size is null) continue;
            var metrics = new StringBuilder();
            foreach (var (field, type, name) in Metrics)
            {
                if (entry[field] is not JsonValue value || !value.TryGetValue(out double number) || !double.IsFinite(number)) continue;
                metrics.Append($"      - type: {type}\n        name: {Quote($"{name}, n = {size}")}\n        value: {number.ToString("R", CultureInfo.InvariantCulture)}\n        verified: false\n");
            }
            if (metrics.Length == 0) continue;
            results.Append("  - task:\n      type: text-classification\n");
            results.Append($"      name: {Quote($"Harmful-task fine-tuning attack with {size} attacker examples (worst case over the battery)")}\n");
            results.Append($"    dataset:\n      type: mlac-certification\n      name: {Quote(dataset is null ? "certification test split" : $"certification test split of {dataset}")}\n");
            results.Append("    metrics:\n").Append(metrics);
        }
        return results.Length == 0 ? "" : $"model-index:\n- name: {Quote(modelName)}\n  results:\n{results}";
    }

    /// <summary>A YAML double-quoted scalar. JSON string syntax is a subset of it; the relaxed encoder keeps apostrophes
    /// and non-ASCII text readable (it still escapes quotes, backslashes and control characters). YAML also reads
    /// U+0085, U+2028 and U+2029 as line breaks, so they are escaped too.</summary>
    private static string Quote(string text) => JsonSerializer.Serialize(text, QuoteOptions)
        .Replace("\u0085", "\\N", StringComparison.Ordinal)
        .Replace("\u2028", "\\L", StringComparison.Ordinal)
        .Replace("\u2029", "\\P", StringComparison.Ordinal);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
