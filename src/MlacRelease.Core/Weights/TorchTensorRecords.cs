using System.Collections.Immutable;
using MlacRelease.Core.Model;
using TorchSharp;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Weights;

/// <summary>Converts between TorchSharp tensors and the byte-level <see cref="TensorRecord"/> that files and digests use.</summary>
public static class TorchTensorRecords
{
    public static TensorRecord ToRecord(string name, Tensor tensor)
    {
        var dtype = tensor.dtype switch
        {
            ScalarType.Float32 => TensorDType.F32,
            ScalarType.Float64 => TensorDType.F64,
            ScalarType.Float16 => TensorDType.F16,
            ScalarType.BFloat16 => TensorDType.BF16,
            ScalarType.Int64 => TensorDType.I64,
            ScalarType.Int32 => TensorDType.I32,
            ScalarType.Int16 => TensorDType.I16,
            ScalarType.Int8 => TensorDType.I8,
            ScalarType.Byte => TensorDType.U8,
            ScalarType.Bool => TensorDType.BOOL,
            var other => throw new ArgumentException($"tensor '{name}': dtype {other} has no safetensors equivalent"),
        };
        using var host = tensor.detach().cpu().contiguous();
        return new TensorRecord(name, dtype, [.. tensor.shape], host.bytes.ToArray());
    }

    public static Tensor ToTensor(TensorRecord record, Device? device = null)
    {
        var dtype = record.DType switch
        {
            TensorDType.F32 => ScalarType.Float32,
            TensorDType.F64 => ScalarType.Float64,
            TensorDType.F16 => ScalarType.Float16,
            TensorDType.BF16 => ScalarType.BFloat16,
            TensorDType.I64 => ScalarType.Int64,
            TensorDType.I32 => ScalarType.Int32,
            TensorDType.I16 => ScalarType.Int16,
            TensorDType.I8 => ScalarType.Int8,
            TensorDType.U8 => ScalarType.Byte,
            TensorDType.BOOL => ScalarType.Bool,
            var other => throw new ArgumentException($"tensor '{record.Name}': dtype {other} is not supported"),
        };
        var tensor = empty([.. record.Shape], dtype);
        if (record.ElementCount > 0) record.Data.Span.CopyTo(tensor.bytes);
        if (device is null || device.type == DeviceType.CPU) return tensor;
        using (tensor) return tensor.to(device);
    }

    /// <summary>Every parameter as a record, in canonical name order.</summary>
    public static IReadOnlyList<TensorRecord> ToRecords(this EncoderWeights weights) =>
        weights.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => ToRecord(kv.Key, kv.Value)).ToList();

    /// <summary>The weight digest ("sha256:…") over the canonical tensor bytes; independent of file layout and order.</summary>
    public static string Digest(this EncoderWeights weights) => WeightDigest.Compute(weights.ToRecords());

    /// <summary>Tensors from records, named canonically (wrapper prefixes such as "bert." removed).</summary>
    public static Dictionary<string, Tensor> ToTensors(IEnumerable<TensorRecord> records, Device? device = null)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var name = BertParameterNames.Canonical(record.Name);
            if (!tensors.TryAdd(name, ToTensor(record, device)))
                throw new MlacInputException($"tensor '{record.Name}': another tensor already maps to '{name}'");
        }
        return tensors;
    }
}
