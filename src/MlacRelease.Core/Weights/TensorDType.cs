namespace MlacRelease.Core.Weights;

/// <summary>
/// Element types this toolkit reads and writes. The numeric values are not part of any format:
/// files and digests always use <see cref="TensorDTypeExtensions.ToSafetensorsString"/>.
/// </summary>
public enum TensorDType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    BOOL,
}
