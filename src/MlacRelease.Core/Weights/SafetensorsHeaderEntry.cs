namespace MlacRelease.Core.Weights;

/// <summary>
/// One tensor entry of a parsed header, already checked on its own (known dtype, rank, non-negative dims,
/// begin ≤ end, size matching the shape). Checks that need the other entries or the buffer length are the reader's.
/// </summary>
/// <param name="HeaderIndex">Position among the tensor entries of the header; breaks ties between zero-length tensors.</param>
internal sealed record SafetensorsHeaderEntry(string Name, TensorDType DType, long[] Shape, long Begin, long End, int HeaderIndex)
{
    public long ByteLength => End - Begin;
}
