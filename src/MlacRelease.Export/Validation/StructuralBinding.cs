using System.Text.Json;
using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Export.Onnx;
using Onnx;
using MlacRelease.Common.Errors;

namespace MlacRelease.Export.Validation;

/// <summary>
/// Proves that a shipped model.onnx computes the encoder of its weights and nothing else: the graph is rebuilt with
/// this toolkit's own writer from the weights imported out of it (plus the head and the metadata it carries), and the
/// shipped model must equal the rebuilt one as a protobuf message — every node, attribute, initializer, input, output,
/// opset, metadata entry and unknown field. Holding the certified initializers is not enough: a graph can keep them
/// and compute something else (select on the sequence length, carry a second encoder).
/// </summary>
public static class StructuralBinding
{
    /// <summary>Null when <paramref name="shipped"/> (external data already inlined) is exactly what the exporter writes
    /// for <paramref name="weights"/> and <paramref name="head"/>; otherwise the first difference found.</summary>
    public static string? FindDifference(ModelProto shipped, EncoderWeights weights, ClassificationHead? head)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        ArgumentNullException.ThrowIfNull(weights);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in shipped.MetadataProps)
        {
            if (!metadata.TryAdd(entry.Key, entry.Value)) return $"metadata key '{entry.Key}' appears twice";
        }
        if (!metadata.TryGetValue(OnnxMetadataKeys.Tokenizer, out var tokenizerJson)) return $"metadata '{OnnxMetadataKeys.Tokenizer}' is missing";
        IReadOnlyList<string>? labels = null;
        if (metadata.TryGetValue(OnnxMetadataKeys.Labels, out var labelsJson))
        {
            try
            {
                labels = JsonSerializer.Deserialize<string[]>(labelsJson);
            }
            catch (JsonException e)
            {
                return $"metadata '{OnnxMetadataKeys.Labels}' is not a JSON array of strings ({e.Message})";
            }
        }
        if (head is not null && labels is not null && labels.Count != head.Classes) return $"{labels.Count} labels for {head.Classes} classes";
        ModelProto rebuilt;
        try
        {
            rebuilt = EncoderOnnxExporter.Build(weights, new OnnxExportOptions
            {
                Tokenizer = Common.Text.TokenizerSettingsJson.Parse(tokenizerJson, $"metadata '{OnnxMetadataKeys.Tokenizer}'"),
                CertificateDigest = metadata.GetValueOrDefault(OnnxMetadataKeys.CertificateDigest),
                // An int8 graph is rebuilt by re-quantizing its dequantized weights, which gives back the same int8 values
                // and scales (Int8Quantization's scales are fixed points): any altered value or scale shows here.
                Flavor = EncoderOnnxExporter.FlavorOf(shipped),
                Head = head is null ? null : new ClassificationHead(head.Weight, head.Bias, labels),
                ExternalDataThresholdBytes = long.MaxValue,
            });
        }
        catch (Exception e) when (e is ArgumentException or MlacInputException or InvalidDataException)
        {
            return $"the exporter cannot rebuild this model from its weights and metadata: {e.Message}";
        }
        return Difference(shipped, rebuilt);
    }

    private static string? Difference(ModelProto shipped, ModelProto rebuilt)
    {
        if (shipped.ProducerName != rebuilt.ProducerName || shipped.ProducerVersion != rebuilt.ProducerVersion)
            return $"written by {shipped.ProducerName} {shipped.ProducerVersion}; this gate rebuilds graphs as {rebuilt.ProducerName} {rebuilt.ProducerVersion} (gate a release with the toolkit version that exported it)";
        if (shipped.IrVersion != rebuilt.IrVersion) return $"IR version {shipped.IrVersion}, expected {rebuilt.IrVersion}";
        if (!shipped.OpsetImport.Equals(rebuilt.OpsetImport)) return $"opset imports [{string.Join(", ", shipped.OpsetImport)}], expected [{string.Join(", ", rebuilt.OpsetImport)}]";
        if (!shipped.MetadataProps.Equals(rebuilt.MetadataProps))
        {
            var expected = rebuilt.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var odd = shipped.MetadataProps.FirstOrDefault(p => !expected.TryGetValue(p.Key, out var v) || v != p.Value);
            return odd is null ? "metadata entries missing or out of order" : $"metadata '{odd.Key}' differs from what the exporter writes for these weights";
        }
        var (a, b) = (shipped.Graph, rebuilt.Graph);
        if (a is null) return "the model has no graph";
        if (!a.Input.Equals(b.Input)) return $"graph inputs [{string.Join(", ", a.Input.Select(i => i.Name))}] differ from the encoder's";
        if (!a.Output.Equals(b.Output)) return $"graph outputs [{string.Join(", ", a.Output.Select(o => o.Name))}] differ from the encoder's";
        if (a.Node.Count != b.Node.Count) return $"{a.Node.Count} nodes; the encoder of these weights has {b.Node.Count}";
        for (var i = 0; i < a.Node.Count; i++)
        {
            if (!a.Node[i].Equals(b.Node[i])) return $"node {i} ('{a.Node[i].Name}', {a.Node[i].OpType}) differs from the encoder's node '{b.Node[i].Name}' ({b.Node[i].OpType})";
        }
        if (a.Initializer.Count != b.Initializer.Count) return $"{a.Initializer.Count} initializers; the encoder of these weights has {b.Initializer.Count}";
        for (var i = 0; i < a.Initializer.Count; i++)
        {
            if (!a.Initializer[i].Equals(b.Initializer[i])) return $"initializer {i} ('{a.Initializer[i].Name}') differs from the encoder's '{b.Initializer[i].Name}'";
        }
        // Everything else (value_info, sparse initializers, functions, training info, doc strings, unknown fields).
        return shipped.Equals(rebuilt) ? null : "the model differs from the encoder's outside nodes and initializers (value_info, functions, doc strings or unknown fields)";
    }
}
