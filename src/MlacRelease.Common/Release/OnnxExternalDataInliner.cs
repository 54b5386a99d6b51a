using System.Globalization;
using Google.Protobuf;
using Onnx;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Release;

/// <summary>
/// Puts the bytes of ONNX external-data tensors back into the model, from a data file the caller has already read
/// and verified. Loading by path would let ONNX Runtime open whatever file an initializer names; resolving it here
/// means only the one named, verified file can supply tensor bytes, and what runs is what was checked.
/// </summary>
public static class OnnxExternalDataInliner
{
    /// <summary>The model's bytes with external data inlined; the same array when the model has none. Refuses bytes
    /// that are not the canonical encoding of the model they parse as (see <see cref="RequireCanonical"/>).</summary>
    public static byte[] InlinedBytes(byte[] model, string allowedLocation, byte[]? data, string source)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new MlacInputException($"{source}: not a valid ONNX model ({e.Message})", e);
        }
        RequireCanonical(model, proto, source);
        if (Inline(proto, allowedLocation, data, source) == 0) return model;
        if (proto.CalculateSize() >= int.MaxValue)
            throw new MlacInputException($"{source}: with its external data the model exceeds protobuf's 2 GiB; verified in-memory loading supports models below that");
        return proto.ToByteArray();
    }

    /// <summary>Inlines every external initializer. Each must name <paramref name="allowedLocation"/> and a range inside
    /// <paramref name="data"/>; anything else (another file, a bad offset, external data with no data file) is refused.
    /// A data file must also hold nothing but those ranges and the exporter's zero alignment padding: bytes no tensor
    /// reads would ship, signed and gated, as part of a release whose model never computes with them.</summary>
    /// <returns>How many initializers were inlined.</returns>
    public static int Inline(ModelProto model, string allowedLocation, byte[]? data, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new MlacInputException($"{source}: the model has no graph");
        var ranges = new List<(long Offset, long Size)>();
        foreach (var tensor in graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            string? location = null;
            long offset = 0;
            long? length = null;
            foreach (var entry in tensor.ExternalData)
            {
                switch (entry.Key)
                {
                    case "location": location = entry.Value; break;
                    case "offset": offset = Number(entry.Value, tensor.Name, "offset", source); break;
                    case "length": length = Number(entry.Value, tensor.Name, "length", source); break;
                    case "checksum": break;
                    default: throw new MlacInputException($"{source}: initializer '{tensor.Name}': unknown external_data key '{entry.Key}'");
                }
            }
            if (location != allowedLocation)
                throw new MlacInputException($"{source}: initializer '{tensor.Name}' reads its bytes from '{location}'; only '{allowedLocation}', listed in the manifest, may hold tensor data");
            if (data is null)
                throw new MlacInputException($"{source}: initializer '{tensor.Name}' uses external data, but the release lists no '{allowedLocation}'");
            var size = length ?? data.LongLength - offset;
            if (offset < 0 || size < 0 || offset > data.LongLength || size > data.LongLength - offset)
                throw new MlacInputException($"{source}: initializer '{tensor.Name}': external range {offset}+{size} lies outside '{allowedLocation}' ({data.LongLength:N0} bytes)");
            ranges.Add((offset, size));
            tensor.RawData = ByteString.CopyFrom(data, checked((int)offset), checked((int)size));
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }
        if (data is not null) RequireOnlyTensorBytes(data, ranges, allowedLocation, source);
        return ranges.Count;
    }

    private static void RequireOnlyTensorBytes(byte[] data, List<(long Offset, long Size)> ranges, string location, string source)
    {
        if (ranges.Count == 0)
            throw new MlacInputException($"{source}: the release lists '{location}' ({data.LongLength:N0} bytes), but no initializer reads from it");
        var end = 0L;
        foreach (var (offset, size) in ranges.OrderBy(r => r.Offset))
        {
            if (offset > end && data.AsSpan(checked((int)end), checked((int)(offset - end))).ContainsAnyExcept((byte)0))
                throw new MlacInputException($"{source}: '{location}' holds non-zero bytes at {end:N0}…{offset - 1:N0} that no initializer reads");
            end = Math.Max(end, offset + size);
        }
        if (end != data.LongLength)
            throw new MlacInputException($"{source}: '{location}' is {data.LongLength:N0} bytes, but its initializers end at byte {end:N0}; the rest is read by nothing");
    }

    /// <summary>Protobuf keeps the last value of a field, so bytes written before a model's own fields change nothing
    /// for this parser but are still handed to ONNX Runtime, which given bytes runs an ORT-format flatbuffer instead
    /// when bytes 4 … 8 say "ORTM". Only the one encoding the exporter writes (Google.Protobuf's, fields in order,
    /// each once) is accepted, so what ONNX Runtime reads is the serialization of exactly the message checked.</summary>
    private static void RequireCanonical(byte[] model, ModelProto proto, string source)
    {
        if (proto.CalculateSize() != model.Length || !proto.ToByteArray().AsSpan().SequenceEqual(model))
            throw new MlacInputException($"{source}: the bytes are not the canonical protobuf encoding of the model they hold (a field repeated, "
                + "reordered or padded); ONNX Runtime could read them as another model, so only the encoding the exporter writes is accepted");
    }

    private static long Number(string value, string tensor, string key, string source) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new MlacInputException($"{source}: initializer '{tensor}': external_data '{key}' is not a non-negative integer: '{value}'");
}
