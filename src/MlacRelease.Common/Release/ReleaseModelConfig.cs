using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Release;

/// <summary>
/// config.json of a release: the encoder's Hugging Face configuration (written by Core, recorded in the model too) and,
/// when a classification head is baked in, what Hugging Face's text-classification reads from it: the
/// BertForSequenceClassification architecture, id2label and label2id. Inference reads the labels back to check they
/// are the model's own, so a Hugging Face consumer and <c>mlac classify</c> name the same class.
/// </summary>
public sealed record ReleaseModelConfig
{
    /// <summary>A BERT config is about a kilobyte; a head with thousands of named classes stays far below this.</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>Class names in logits order; null when config.json describes no head.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Hugging Face's names for classes without names of their own.</summary>
    public static IReadOnlyList<string> DefaultLabels(int classes) => Enumerable.Range(0, classes).Select(i => $"LABEL_{i}").ToList();

    /// <summary>config.json for an encoder whose Hugging Face configuration is <paramref name="encoderConfigJson"/>, with a
    /// head of <paramref name="labels"/> (in logits order) when not null.</summary>
    public static string ToJson(string encoderConfigJson, IReadOnlyList<string>? labels)
    {
        var config = CanonicalJsonCheck.ParseObject(System.Text.Encoding.UTF8.GetBytes(encoderConfigJson), MaxBytes, "encoder configuration");
        if (labels is not null)
        {
            CheckLabels(labels, "labels");
            config["architectures"] = new JsonArray("BertForSequenceClassification");
            config["problem_type"] = "single_label_classification";
            var id2label = new JsonObject();
            var label2id = new JsonObject();
            for (var i = 0; i < labels.Count; i++)
            {
                id2label[i.ToString(CultureInfo.InvariantCulture)] = labels[i];
                label2id[labels[i]] = i;
            }
            config["id2label"] = id2label;
            config["label2id"] = label2id;
        }
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    public static ReleaseModelConfig Parse(ReadOnlySpan<byte> utf8, string source)
    {
        var config = CanonicalJsonCheck.ParseObject(utf8, MaxBytes, source);
        if (config["model_type"] is not JsonValue type || !type.TryGetValue(out string? modelType) || modelType != "bert")
            throw new MlacInputException($"{source}: field 'model_type': expected \"bert\" (the encoder this toolkit exports)");
        if (config["id2label"] is null && config["label2id"] is null) return new ReleaseModelConfig();
        if (config["id2label"] is not JsonObject id2label || config["label2id"] is not JsonObject label2id)
            throw new MlacInputException($"{source}: fields 'id2label' and 'label2id': expected two objects");
        var labels = new string[id2label.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            var key = i.ToString(CultureInfo.InvariantCulture);
            labels[i] = id2label[key] is JsonValue v && v.TryGetValue(out string? label) ? label
                : throw new MlacInputException($"{source}: field 'id2label': expected class names for ids \"0\" … \"{labels.Length - 1}\", and '{key}' has none");
        }
        CheckLabels(labels, $"{source}: field 'id2label'");
        if (label2id.Count != labels.Length || labels.Select((label, i) => (label, i)).Any(p => label2id[p.label] is not JsonValue id || !id.TryGetValue(out int n) || n != p.i))
            throw new MlacInputException($"{source}: field 'label2id' is not the inverse of 'id2label'");
        return new ReleaseModelConfig { Labels = labels };
    }

    /// <summary>label2id maps names to ids, so the names must be distinct.</summary>
    private static void CheckLabels(IReadOnlyList<string> labels, string where)
    {
        if (labels.Count == 0) throw new MlacInputException($"{where}: a head has at least one class");
        if (labels.Distinct(StringComparer.Ordinal).Count() != labels.Count) throw new MlacInputException($"{where}: class names must be distinct");
    }
}
