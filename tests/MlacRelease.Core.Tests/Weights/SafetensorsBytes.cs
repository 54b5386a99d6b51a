using System.Buffers.Binary;
using System.Text;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

/// <summary>Builds safetensors images by hand, straight from the format spec, independently of the writer under test.</summary>
internal static class SafetensorsBytes
{
    /// <summary>8-byte LE length, the header (space-padded to a multiple of 8 when <paramref name="pad"/>), then the data.</summary>
    public static byte[] Build(string headerJson, byte[]? data = null, bool pad = true)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        if (pad)
        {
            int padded = (header.Length + 7) / 8 * 8;
            header = [.. header, .. Enumerable.Repeat((byte)' ', padded - header.Length)];
        }

        return BuildRaw((ulong)header.Length, header, data ?? []);
    }

    /// <summary>Lets a test claim any header length, true or not.</summary>
    public static byte[] BuildRaw(ulong claimedHeaderLength, byte[] header, byte[] data)
    {
        var result = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, claimedHeaderLength);
        header.CopyTo(result, 8);
        data.CopyTo(result, 8 + header.Length);
        return result;
    }

    public static byte[] Bytes(int count, int seed = 1)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static TensorRecord Tensor(string name, TensorDType dtype, long[] shape, int seed = 1)
    {
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }

        return new TensorRecord(name, dtype, [.. shape], Bytes(checked((int)(count * dtype.ElementSize())), seed));
    }

    /// <summary>A small model-like set covering every dtype, a scalar, an empty tensor and awkward names.</summary>
    public static List<TensorRecord> SampleTensors() =>
    [
        Tensor("encoder.layer.0.attention.self.query.weight", TensorDType.F32, [8, 4], 1),
        Tensor("encoder.layer.0.attention.self.query.bias", TensorDType.F32, [8], 2),
        Tensor("embeddings.word_embeddings.weight", TensorDType.F16, [5, 3], 3),
        Tensor("embeddings.position_ids", TensorDType.I64, [1, 5], 4),
        Tensor("pooler.dense.weight", TensorDType.BF16, [3, 3], 5),
        Tensor("f64.scalar", TensorDType.F64, [], 6),
        Tensor("i32", TensorDType.I32, [2, 1, 2], 7),
        Tensor("i16", TensorDType.I16, [3], 8),
        Tensor("i8", TensorDType.I8, [7], 9),
        Tensor("u8.empty", TensorDType.U8, [0, 4], 10),
        Tensor("mask", TensorDType.BOOL, [4], 11),
        Tensor("naïve \"quoted\" \\ name\twith\u0001control \U0001F600", TensorDType.U8, [2], 12),
    ];

    public static Dictionary<string, string> SampleMetadata() => new()
    {
        ["format"] = "pt",
        ["note"] = "ünïcode \"quotes\" \\ and\nnewlines \U0001F600",
        ["empty"] = "",
    };
}
