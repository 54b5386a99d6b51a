using System.Text.Json;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Weights;
using static TorchSharp.torch;

namespace MlacRelease.Core.Model;

/// <summary>
/// heads.safetensors beside a trained encoder: the desired-task head the defender learned with it (the tensor
/// <c>desired.weight</c> [classes, hidden], optionally <c>desired.bias</c>) and, in its metadata, the label names of both
/// tasks and the digest of the encoder it belongs to. Written by training, read by export; one definition of the layout.
/// </summary>
public static class HeadsFile
{
    public const string FileName = "heads.safetensors";
    public const string DesiredWeight = "desired.weight";
    public const string DesiredBias = "desired.bias";
    public const string DesiredLabelsKey = "desired_labels";
    public const string HarmfulLabelsKey = "harmful_labels";
    public const string WeightDigestKey = "mlac.weight_digest";

    public static string PathIn(string folder) => Path.Combine(folder, FileName);

    /// <summary>Writes the file atomically into <paramref name="folder"/>.</summary>
    public static void Write(string folder, Tensor desiredWeight, IReadOnlyList<string> desiredLabels, IReadOnlyList<string> harmfulLabels, string weightDigest) =>
        SafetensorsWriter.Write(PathIn(folder), [TorchTensorRecords.ToRecord(DesiredWeight, desiredWeight)], new Dictionary<string, string>
        {
            [DesiredLabelsKey] = JsonSerializer.Serialize(desiredLabels),
            [HarmfulLabelsKey] = JsonSerializer.Serialize(harmfulLabels),
            [WeightDigestKey] = weightDigest,
        });

    /// <summary>The desired-task head in <paramref name="path"/>, checked as a <see cref="ClassificationHead"/>; the caller
    /// owns (disposes) it.</summary>
    public static OwnedClassificationHead Read(string path) => Read(SafetensorsReader.Read(path), path);

    /// <summary>The desired-task head in <paramref name="file"/>, already read from <paramref name="path"/> (named in
    /// errors), so a caller that needs the raw file as well reads it once.</summary>
    public static OwnedClassificationHead Read(SafetensorsFile file, string path)
    {
        if (!file.TryGetTensor(DesiredWeight, out var weight)) throw new MlacInputException($"{path}: no '{DesiredWeight}' tensor (expected the desired-task head)");
        IReadOnlyList<string>? labels = null;
        if (file.Metadata.TryGetValue(DesiredLabelsKey, out var json))
        {
            try
            {
                labels = JsonSerializer.Deserialize<string[]>(json);
            }
            catch (JsonException e)
            {
                throw new MlacInputException($"{path}: metadata '{DesiredLabelsKey}': expected a JSON array of label names ({e.Message})", e);
            }
        }
        var w = TorchTensorRecords.ToTensor(weight);
        var bias = file.TryGetTensor(DesiredBias, out var b) ? TorchTensorRecords.ToTensor(b) : null;
        try
        {
            return new OwnedClassificationHead(new ClassificationHead(w, bias, labels));
        }
        catch (MlacInputException e)
        {
            w.Dispose();
            bias?.Dispose();
            throw new MlacInputException($"{path}: {e.Message}", e);
        }
    }
}
