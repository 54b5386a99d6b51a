namespace MlacRelease.Core.Weights;

/// <summary>Element sizes and the safetensors spelling of <see cref="TensorDType"/>.</summary>
public static class TensorDTypeExtensions
{
    /// <summary>Bytes per element (BOOL is stored as one byte, 0 or 1, like the reference implementation).</summary>
    public static int ElementSize(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 => 8,
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 => 2,
        TensorDType.I8 or TensorDType.U8 or TensorDType.BOOL => 1,
        _ => throw Undefined(dtype),
    };

    /// <summary>The dtype string used in safetensors headers and in <see cref="WeightDigest"/> ("F32", "BF16", "BOOL", ...).</summary>
    public static string ToSafetensorsString(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 => "F64",
        TensorDType.F32 => "F32",
        TensorDType.F16 => "F16",
        TensorDType.BF16 => "BF16",
        TensorDType.I64 => "I64",
        TensorDType.I32 => "I32",
        TensorDType.I16 => "I16",
        TensorDType.I8 => "I8",
        TensorDType.U8 => "U8",
        TensorDType.BOOL => "BOOL",
        _ => throw Undefined(dtype),
    };

    /// <summary>
    /// Parses a safetensors dtype string. Matching is exact and case-sensitive, as in the reference
    /// implementation, so "f32" is rejected rather than guessed at.
    /// </summary>
    public static bool TryParseSafetensorsDType(string? value, out TensorDType dtype)
    {
        switch (value)
        {
            case "F64": dtype = TensorDType.F64; return true;
            case "F32": dtype = TensorDType.F32; return true;
            case "F16": dtype = TensorDType.F16; return true;
            case "BF16": dtype = TensorDType.BF16; return true;
            case "I64": dtype = TensorDType.I64; return true;
            case "I32": dtype = TensorDType.I32; return true;
            case "I16": dtype = TensorDType.I16; return true;
            case "I8": dtype = TensorDType.I8; return true;
            case "U8": dtype = TensorDType.U8; return true;
            case "BOOL": dtype = TensorDType.BOOL; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Parses a safetensors dtype string; throws <see cref="FormatException"/> for anything else.</summary>
    public static TensorDType ParseSafetensorsDType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParseSafetensorsDType(value, out TensorDType dtype)
            ? dtype
            : throw new FormatException($"'{value}' is not a supported safetensors dtype (supported: {SupportedList}).");
    }

    /// <summary>True for the named members only; a cast integer such as <c>(TensorDType)42</c> is not a dtype.</summary>
    public static bool IsDefined(this TensorDType dtype) => dtype is >= TensorDType.F64 and <= TensorDType.BOOL;

    /// <summary>Comma-separated dtype strings, for error messages.</summary>
    internal const string SupportedList = "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL";

    private static ArgumentOutOfRangeException Undefined(TensorDType dtype) =>
        new(nameof(dtype), dtype, "Not a defined TensorDType.");
}
