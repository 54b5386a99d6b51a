using System.Text.Json;
using MlacRelease.Core.Weights;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// A complete, exactly restorable training state in one safetensors file: encoder, heads, attacker parameters and
/// both optimisers' moments, plus <see cref="CheckpointInfo"/> and a digest of every tensor in the metadata. Written
/// atomically (a crash mid-write leaves the previous checkpoint in place); a truncated or altered file is refused.
/// </summary>
public static class TrainingCheckpoint
{
    private const string InfoKey = "mlac.checkpoint";
    private const string DigestKey = "mlac.content_digest";

    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, CheckpointInfo info)
    {
        var records = tensors.Select(t => TorchTensorRecords.ToRecord(t.Name, t.Tensor)).ToList();
        var metadata = new Dictionary<string, string>
        {
            [InfoKey] = JsonSerializer.Serialize(info),
            [DigestKey] = WeightDigest.Compute(records),
        };
        SafetensorsWriter.Write(path, records, metadata);
    }

    /// <summary>Reads and verifies a checkpoint; the tensors are on the CPU (the caller copies them into place).</summary>
    public static (CheckpointInfo Info, Dictionary<string, Tensor> Tensors) Load(string path)
    {
        SafetensorsFile file;
        try
        {
            file = SafetensorsReader.Read(path);
        }
        catch (SafetensorsFormatException e)
        {
            throw new MlacInputException($"{path}: not a readable checkpoint ({e.Message})", e);
        }
        if (!file.Metadata.TryGetValue(InfoKey, out var json) || !file.Metadata.TryGetValue(DigestKey, out var digest))
            throw new MlacInputException($"{path}: not an MLAC training checkpoint (metadata '{InfoKey}' / '{DigestKey}' missing)");
        var actual = WeightDigest.Compute(file.Tensors);
        if (actual != digest)
            throw new MlacInputException($"{path}: checkpoint content digest {actual} differs from the recorded {digest}: the file is corrupt");
        CheckpointInfo info;
        try
        {
            info = JsonSerializer.Deserialize<CheckpointInfo>(json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{path}: checkpoint metadata is not valid ({e.Message})", e);
        }
        if (info.Format != "mlac.checkpoint.v1") throw new MlacInputException($"{path}: checkpoint format '{info.Format}' is not supported");
        return (info, file.Tensors.ToDictionary(r => r.Name, r => TorchTensorRecords.ToTensor(r), StringComparer.Ordinal));
    }
}
