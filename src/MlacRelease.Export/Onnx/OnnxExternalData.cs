using Google.Protobuf;
using MlacRelease.Common.IO;
using Onnx;

namespace MlacRelease.Export.Onnx;

/// <summary>
/// ONNX external data: tensor bytes in a file beside the model, referenced by (location, offset, length), because a
/// protobuf message cannot reach 2 GiB. ONNX Runtime reads it when the model is loaded from its path.
/// </summary>
internal static class OnnxExternalData
{
    public const long ProtobufLimitBytes = int.MaxValue;

    /// <summary>Tensors smaller than this stay inline (shape constants and the like).</summary>
    private const int MinExternalBytes = 1024;

    /// <summary>Offsets are aligned so the runtime can map tensors straight from the file.</summary>
    private const int Alignment = 4096;

    /// <summary>Whether the tensors go to a data file; when they must but may not, <paramref name="error"/> says so.</summary>
    public static bool NeedsExternalData(long tensorBytes, long thresholdBytes, string path, out string? error)
    {
        error = null;
        if (tensorBytes > thresholdBytes) return true;
        if (tensorBytes >= ProtobufLimitBytes)
        {
            error = $"{path}: the tensors take {tensorBytes:N0} bytes, over protobuf's 2 GiB message limit, and external data is disabled "
                + $"(ExternalDataThresholdBytes = {thresholdBytes:N0}); allow external data to export this model";
        }
        return false;
    }

    public static long InlineBytes(GraphProto graph) => graph.Initializer.Sum(t => (long)t.RawData.Length + t.FloatData.Count * 4L + t.Int64Data.Count * 8L);

    /// <summary>Moves every large initializer's bytes to <paramref name="dataPath"/> (written atomically) and points the
    /// initializer at it by file name, relative to the model's folder as the format requires.</summary>
    public static void MoveToFile(GraphProto graph, string dataPath)
    {
        var location = Path.GetFileName(dataPath);
        var moved = graph.Initializer.Where(t => t.RawData.Length >= MinExternalBytes).ToList();
        AtomicFile.Write(dataPath, stream =>
        {
            foreach (var tensor in moved)
            {
                var padding = (int)((Alignment - stream.Position % Alignment) % Alignment);
                stream.Write(new byte[padding]);
                var offset = stream.Position;
                tensor.RawData.WriteTo(stream);
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                tensor.RawData = ByteString.Empty;
            }
        });
    }
}
