namespace MlacRelease.Core.Weights;

/// <summary>Overflow-safe size arithmetic shared by <see cref="TensorRecord"/> and the reader.</summary>
internal static class ShapeMath
{
    /// <summary>
    /// Element count of <paramref name="shape"/>; false when a dim is negative or the count does not fit in an int64.
    /// The product of the non-zero dims must fit as well: a zero dim makes the count 0, but strides computed
    /// downstream (e.g. by a tensor library) still multiply the other dims, so [0, 2^62, 2^62] is rejected too,
    /// and the answer does not depend on the order of the dims.
    /// </summary>
    public static bool TryGetElementCount(ReadOnlySpan<long> shape, out long count)
    {
        long product = 1;
        bool anyZero = false;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                count = 0;
                return false;
            }

            if (dim == 0)
            {
                anyZero = true;
                continue;
            }

            // product and dim are both >= 1 here, so this division test is exact.
            if (product > long.MaxValue / dim)
            {
                count = 0;
                return false;
            }

            product *= dim;
        }

        count = anyZero ? 0 : product;
        return true;
    }

    /// <summary>Byte length of a tensor; false on a negative dim or when elements × element size overflows an int64.</summary>
    public static bool TryGetByteLength(TensorDType dtype, ReadOnlySpan<long> shape, out long byteLength)
    {
        byteLength = 0;
        if (!TryGetElementCount(shape, out long count))
        {
            return false;
        }

        int size = dtype.ElementSize();
        if (count > long.MaxValue / size)
        {
            return false;
        }

        byteLength = count * size;
        return true;
    }

    /// <summary>"F32[128,128]" (scalars print as "F32[]"), the spelling used in error messages.</summary>
    public static string Describe(TensorDType dtype, ReadOnlySpan<long> shape) =>
        $"{dtype.ToSafetensorsString()}[{string.Join(',', shape.ToArray())}]";
}
