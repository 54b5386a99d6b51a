using System.Collections.Immutable;
using System.Text;

namespace MlacRelease.Core.Weights;

/// <summary>
/// One named tensor as raw little-endian bytes. Validated when constructed, so code that receives a
/// <see cref="TensorRecord"/> can trust that <see cref="Data"/> holds exactly product(<see cref="Shape"/>) elements.
/// </summary>
/// <remarks>
/// The record does not copy <see cref="Data"/>: whoever owns the memory must not change it while the record is in use,
/// or digests and written files will not match what was validated. Records produced by <see cref="SafetensorsReader"/>
/// own private arrays, so they are safe to share.
/// There is deliberately no value equality (the memory would compare by reference); use <see cref="ContentEquals"/>.
/// </remarks>
public sealed class TensorRecord
{
    /// <summary>Highest rank accepted; matches the default <see cref="SafetensorsLimits.MaxRank"/>.</summary>
    public const int MaxRank = 8;

    /// <summary>Longest name accepted, in UTF-16 code units.</summary>
    public const int MaxNameLength = 1024;

    /// <summary>Creates a validated record.</summary>
    /// <exception cref="ArgumentException">
    /// The name is empty, longer than <see cref="MaxNameLength"/> or not well-formed UTF-16; the dtype is undefined;
    /// the shape has rank above <see cref="MaxRank"/>, a negative dim or an element count that overflows an int64;
    /// or <paramref name="data"/> is not exactly elements × element size bytes long.
    /// </exception>
    public TensorRecord(string name, TensorDType dtype, ImmutableArray<long> shape, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (GetNameError(name) is { } nameError)
        {
            throw new ArgumentException(nameError, nameof(name));
        }

        if (!dtype.IsDefined())
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a defined TensorDType.");
        }

        if (shape.IsDefault)
        {
            throw new ArgumentException("Shape is a default ImmutableArray; use [] for a scalar.", nameof(shape));
        }

        if (shape.Length > MaxRank)
        {
            throw new ArgumentException($"Tensor '{name}' has rank {shape.Length}; at most {MaxRank} is supported.", nameof(shape));
        }

        if (!ShapeMath.TryGetByteLength(dtype, shape.AsSpan(), out long byteLength))
        {
            throw new ArgumentException(
                $"Tensor '{name}' shape [{string.Join(',', shape)}] has a negative dim or a size that overflows a 64-bit integer.",
                nameof(shape));
        }

        if (data.Length != byteLength)
        {
            throw new ArgumentException(
                $"Tensor '{name}': {ShapeMath.Describe(dtype, shape.AsSpan())} needs {byteLength} bytes but data has {data.Length}.",
                nameof(data));
        }

        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
        ElementCount = byteLength / dtype.ElementSize();
    }

    /// <summary>Tensor name, e.g. "encoder.layer.0.attention.self.query.weight".</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public TensorDType DType { get; }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>Row-major element bytes, little-endian, exactly <see cref="ElementCount"/> × element size long.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>True when name, dtype, shape and every data byte are equal.</summary>
    public bool ContentEquals(TensorRecord? other) =>
        other is not null
        && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && DType == other.DType
        && Shape.AsSpan().SequenceEqual(other.Shape.AsSpan())
        && Data.Span.SequenceEqual(other.Data.Span);

    /// <summary>"name: F32[2,3]".</summary>
    public override string ToString() => $"{Name}: {ShapeMath.Describe(DType, Shape.AsSpan())}";

    /// <summary>
    /// Why <paramref name="name"/> is not a valid tensor name, or null. Shared with the reader so a file and a caller
    /// are held to the same rule. Ill-formed UTF-16 (a lone surrogate) is refused because names are hashed and written as UTF-8.
    /// </summary>
    internal static string? GetNameError(string name)
    {
        if (name.Length == 0)
        {
            return "tensor name is empty";
        }

        if (name.Length > MaxNameLength)
        {
            return $"tensor name is {name.Length} characters long; at most {MaxNameLength} are allowed";
        }

        if (!IsWellFormedUtf16(name))
        {
            return "tensor name contains an unpaired UTF-16 surrogate and cannot be encoded as UTF-8";
        }

        return null;
    }

    internal static bool IsWellFormedUtf16(string value)
    {
        // Rune decoding reports an unpaired surrogate as InvalidData, so no exception-driven probing is needed.
        ReadOnlySpan<char> rest = value;
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            rest = rest[consumed..];
        }

        return true;
    }
}
