using MlacRelease.Common.Integrity;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MlacRelease.Core.Weights;

/// <summary>
/// A digest of the weights themselves rather than of a file: the same tensors give the same digest whatever the
/// file layout, header formatting, metadata or tensor order. It is part of the certificate format, so the encoding
/// below must never change; a new encoding needs a new version tag.
/// </summary>
/// <remarks>
/// <para>The digest is <c>"sha256:" + lowercase hex(SHA-256(E))</c>, where E is the concatenation of:</para>
/// <list type="number">
/// <item>the 16 ASCII bytes <c>mlac.weights.v1\n</c> (version tag; keeps a weight digest from ever equalling the
/// SHA-256 of some file, and lets a later encoding be told apart);</item>
/// <item>the tensor count as int64;</item>
/// <item>for each tensor, in ascending order of the bytes of its UTF-8 name (unsigned bytewise, shorter prefix first,
/// i.e. Unicode code point order, as Python <c>sorted(names)</c> gives):
/// <list type="bullet">
/// <item>the byte length of the UTF-8 name as int64, then those bytes (no terminator, no normalisation);</item>
/// <item>the byte length of the dtype string as int64, then its ASCII bytes: one of F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL;</item>
/// <item>the rank as int64, then each dim as int64, outermost first (a scalar has rank 0 and no dims);</item>
/// <item>the data byte length as int64, then the raw little-endian element bytes exactly as stored
/// (no canonicalisation of NaN payloads or negative zero).</item>
/// </list></item>
/// </list>
/// <para>Every integer above is 8 bytes, two's complement, little-endian. Metadata is not included. Equivalent Python:</para>
/// <code>
/// h = hashlib.sha256(b"mlac.weights.v1\n" + struct.pack("&lt;q", len(tensors)))
/// for name in sorted(tensors, key=lambda n: n.encode("utf-8")):
///     dtype, shape, data = tensors[name]   # data: bytes, little-endian
///     for field in (name.encode("utf-8"), dtype.encode("ascii")):
///         h.update(struct.pack("&lt;q", len(field)) + field)
///     h.update(struct.pack("&lt;q", len(shape)) + b"".join(struct.pack("&lt;q", d) for d in shape))
///     h.update(struct.pack("&lt;q", len(data)) + data)
/// digest = "sha256:" + h.hexdigest()
/// </code>
/// </remarks>
public static class WeightDigest
{
    /// <summary>The version tag that starts the encoding.</summary>
    public static ReadOnlySpan<byte> VersionTag => "mlac.weights.v1\n"u8;

    /// <summary>Computes the digest described on <see cref="WeightDigest"/>.</summary>
    /// <exception cref="ArgumentException">A tensor is null, or two tensors share a name (the digest would be ambiguous).</exception>
    public static string Compute(IEnumerable<TensorRecord> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<(byte[] Name, TensorRecord Tensor)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorRecord? tensor in tensors)
        {
            if (tensor is null)
            {
                throw new ArgumentException("A tensor is null.", nameof(tensors));
            }

            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"Two tensors are named '{tensor.Name}'.", nameof(tensors));
            }

            entries.Add((Utf8Ordinal.Encode(tensor.Name, $"Tensor name '{tensor.Name}'"), tensor));
        }

        entries.Sort(static (a, b) => Utf8Ordinal.Compare(a.Name, b.Name));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(VersionTag);
        AppendInt64(hash, entries.Count);
        foreach ((byte[] name, TensorRecord tensor) in entries)
        {
            AppendInt64(hash, name.Length);
            hash.AppendData(name);
            byte[] dtype = Encoding.ASCII.GetBytes(tensor.DType.ToSafetensorsString());
            AppendInt64(hash, dtype.Length);
            hash.AppendData(dtype);
            AppendInt64(hash, tensor.Shape.Length);
            foreach (long dim in tensor.Shape)
            {
                AppendInt64(hash, dim);
            }

            AppendInt64(hash, tensor.Data.Length);
            hash.AppendData(tensor.Data.Span);
        }

        return FileDigest.Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendInt64(IncrementalHash hash, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }
}
