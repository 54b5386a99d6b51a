using System.Reflection;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MlacRelease.Common.Errors;
using MlacRelease.Common.IO;
using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using Onnx;
using TorchSharp;

namespace MlacRelease.Export.Onnx;

/// <summary>Writes an encoder (and optionally a classification head) as an ONNX model. TorchSharp has no exporter,
/// so the graph is built directly as ONNX protobuf (<see cref="BertGraphWriter"/>).</summary>
public static class EncoderOnnxExporter
{
    /// <summary>The model in memory, every tensor inline. Throws when the tensors do not fit one protobuf message;
    /// use <see cref="Save"/>, which moves them to external data.</summary>
    public static ModelProto Build(EncoderWeights weights, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        options ??= new OnnxExportOptions();
        Check(weights, options);
        if (options.Flavor == OnnxGraphFlavor.Int8)
        {
            // The int8 model computes with (and records the digest of) the dequantized weights, not the fp32 ones given.
            using var shipped = Int8Quantization.Dequantized(weights, out var quantized);
            return Build(shipped, options, quantized);
        }
        return Build(weights, options, quantized: null);
    }

    private static ModelProto Build(EncoderWeights weights, OnnxExportOptions options, IReadOnlyDictionary<string, QuantizedMatrix>? quantized)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxExportOptions.IrVersion,
            ProducerName = "MlacRelease",
            ProducerVersion = ToolVersion,
            Domain = "org.mlacrelease",
            ModelVersion = 1,
            DocString = "BERT encoder exported by MlacRelease (mlac export)",
            Graph = new BertGraphWriter(weights, options.Head, options.Flavor, quantized).Write(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExportOptions.Opset });
        if (options.Flavor == OnnxGraphFlavor.OnnxRuntimeFused)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = OnnxGraphBuilder.ContribDomain, Version = 1 });
        foreach (var (key, value) in Metadata(weights, options)) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>Writes the model to <paramref name="path"/> (atomically), with an external data file beside it when the
    /// tensors exceed <see cref="OnnxExportOptions.ExternalDataThresholdBytes"/>.</summary>
    public static OnnxExportResult Save(EncoderWeights weights, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new OnnxExportOptions();
        var model = Build(weights, options);
        var tensorBytes = OnnxExternalData.InlineBytes(model.Graph);
        string? dataPath = null;
        if (OnnxExternalData.NeedsExternalData(tensorBytes, options.ExternalDataThresholdBytes, path, out var tooLarge))
        {
            dataPath = Path.GetFullPath(path) + ".data";
            OnnxExternalData.MoveToFile(model.Graph, dataPath);
        }
        else if (tooLarge is not null)
        {
            throw new InvalidOperationException(tooLarge);
        }
        AtomicFile.Write(path, stream => model.WriteTo(stream));
        return new OnnxExportResult(Path.GetFullPath(path), dataPath, Find(model, OnnxMetadataKeys.WeightDigest)!, tensorBytes);
    }

    /// <summary>The weights a model exported with <paramref name="flavor"/> computes with, owned by the caller: for
    /// <see cref="OnnxGraphFlavor.Int8"/> the dequantized int8 weights (what certification and parity must use), else a
    /// copy of <paramref name="weights"/>.</summary>
    public static EncoderWeights ShippedWeights(EncoderWeights weights, OnnxGraphFlavor flavor)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return flavor == OnnxGraphFlavor.Int8 ? Int8Quantization.Dequantized(weights, out _) : weights.Clone();
    }

    /// <summary>The flavor a model was written in, read off its operators.</summary>
    public static OnnxGraphFlavor FlavorOf(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Graph?.Node.Any(n => n.OpType is "MatMulInteger" or "DynamicQuantizeLinear") == true) return OnnxGraphFlavor.Int8;
        return model.OpsetImport.Any(o => o.Domain == OnnxGraphBuilder.ContribDomain) ? OnnxGraphFlavor.OnnxRuntimeFused : OnnxGraphFlavor.Portable;
    }

    /// <summary>This toolkit's version, recorded in the model and the release manifest.</summary>
    public static string ToolVersion { get; } =
        typeof(EncoderOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(EncoderOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static string? Find(ModelProto model, string key) => model.MetadataProps.FirstOrDefault(p => p.Key == key)?.Value;

    private static IEnumerable<(string Key, string Value)> Metadata(EncoderWeights weights, OnnxExportOptions options)
    {
        yield return (OnnxMetadataKeys.WeightDigest, weights.Digest());
        if (options.CertificateDigest is not null) yield return (OnnxMetadataKeys.CertificateDigest, options.CertificateDigest);
        yield return (OnnxMetadataKeys.Tokenizer, Common.Text.TokenizerSettingsJson.ToJson(options.Tokenizer));
        yield return (OnnxMetadataKeys.EncoderConfig, weights.Config.ToJson());
        if (options.Head?.Labels is { } labels) yield return (OnnxMetadataKeys.Labels, new JsonArray(labels.Select(l => (JsonNode?)l).ToArray()).ToJsonString());
        // Nothing else: the gate refuses any entry beyond these (ONNX Runtime acts on some, e.g. 'ort_config').
        yield return (OnnxMetadataKeys.ToolVersion, ToolVersion);
    }

    private static void Check(EncoderWeights weights, OnnxExportOptions options)
    {
        if (weights.DType != torch.ScalarType.Float32)
            throw new MlacInputException($"the exporter writes float32 models; these weights are {weights.DType} (convert them with weights.To(torch.CPU, torch.ScalarType.Float32) first, which changes the weight digest)");
        options.Tokenizer.Validate();
        if (options.Tokenizer.MaxLength > weights.Config.MaxPositionEmbeddings)
            throw new MlacInputException($"tokenizer max_length {options.Tokenizer.MaxLength} exceeds the encoder's max_position_embeddings {weights.Config.MaxPositionEmbeddings}");
        if (options.CertificateDigest is { } digest && !(digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71))
            throw new ArgumentException($"certificate digest must be \"sha256:\" and 64 hex digits, got \"{digest}\"");
        if (options.ExternalDataThresholdBytes < 0) throw new ArgumentOutOfRangeException(nameof(options), "ExternalDataThresholdBytes must not be negative");
        if (options.Head is { } head)
        {
            if (head.Weight.shape[1] != weights.Config.HiddenSize)
                throw new MlacInputException($"classifier weight is [{string.Join(", ", head.Weight.shape)}]; it must be [classes, {weights.Config.HiddenSize}] for this encoder");
            if (head.Weight.dtype != torch.ScalarType.Float32 || head.Bias is { dtype: not torch.ScalarType.Float32 })
                throw new MlacInputException("classifier tensors must be float32 like the encoder");
        }
    }
}
