using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlacRelease.Common.Errors;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Core.Weights;
using Onnx;
using static TorchSharp.torch;

namespace MlacRelease.Core.Model;

/// <summary>
/// What a release's classifier head computes: its weight and bias and the class names a consumer reads the logits by.
/// The weight digest covers the encoder only, so without this a release could pair the certified encoder with a head
/// trained for the harmful task (or the desired head with its class names swapped). A certificate records the digest of
/// the head the model is released with, or <see cref="None"/>, and the gate compares it with the shipped graph's head.
/// </summary>
public static class HeadDigest
{
    public const string Schema = "mlac.head.v1";

    /// <summary>Recorded for a model certified to be released without a classifier head (embeddings only).</summary>
    public const string None = "none";

    /// <summary>"sha256:…" over the schema, the class names in logits order (Hugging Face's LABEL_i when the head names
    /// none, as the exporter writes them into config.json) and the float32 tensors under the names heads.safetensors
    /// gives them (<see cref="WeightDigest"/>'s encoding, so the layout of the file they came from does not matter).</summary>
    public static string Of(Tensor weight, Tensor? bias, IReadOnlyList<string>? labels)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2) throw new MlacInputException($"a classifier weight is [classes, hidden], got [{string.Join(", ", weight.shape)}]");
        var classes = (int)weight.shape[0];
        var names = labels ?? ReleaseModelConfig.DefaultLabels(classes);
        if (names.Count != classes) throw new MlacInputException($"{names.Count} class names for {classes} classes");
        var records = new List<TensorRecord> { Float32Record(HeadsFile.DesiredWeight, weight) };
        if (bias is not null) records.Add(Float32Record(HeadsFile.DesiredBias, bias));
        var text = $"{Schema}\nlabels={JsonSerializer.Serialize(names)}\ntensors={WeightDigest.Compute(records)}";
        return FileDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The digest of the desired-task head in a heads.safetensors file (<see cref="HeadsFile"/>).</summary>
    public static string OfFile(string path)
    {
        using var owned = HeadsFile.Read(path);
        return Of(owned.Head.Weight, owned.Head.Bias, owned.Head.Labels);
    }

    /// <summary>The digest of the head an exported graph applies (the classifier initializers and the class names in its
    /// metadata), or <see cref="None"/> when it has none: what the gate compares with the certificate, and what a
    /// certification of an exported model records.</summary>
    public static string OfOnnx(ModelProto model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new MlacInputException($"{source}: the model has no graph");
        var weight = graph.Initializer.FirstOrDefault(i => i.Name == OnnxIoNames.ClassifierWeight);
        if (weight is null) return None;
        var biasProto = graph.Initializer.FirstOrDefault(i => i.Name == OnnxIoNames.ClassifierBias);
        IReadOnlyList<string>? labels = null;
        if (model.MetadataProps.FirstOrDefault(p => p.Key == OnnxMetadataKeys.Labels)?.Value is { } json)
        {
            try
            {
                labels = JsonSerializer.Deserialize<string[]>(json) ?? throw new MlacInputException($"{source}: metadata '{OnnxMetadataKeys.Labels}' is null");
            }
            catch (JsonException e)
            {
                throw new MlacInputException($"{source}: metadata '{OnnxMetadataKeys.Labels}' is not a JSON array of class names ({e.Message})", e);
            }
        }
        using var w = OnnxBertImporter.ToTensor(weight, source);
        using var bias = biasProto is null ? null : OnnxBertImporter.ToTensor(biasProto, source);
        return Of(w, bias, labels);
    }

    // The exporter writes the head as float32 whatever it was trained in; digest what ships.
    private static TensorRecord Float32Record(string name, Tensor tensor)
    {
        if (tensor.dtype == ScalarType.Float32) return TorchTensorRecords.ToRecord(name, tensor);
        using var values = tensor.to(ScalarType.Float32);
        return TorchTensorRecords.ToRecord(name, values);
    }
}
