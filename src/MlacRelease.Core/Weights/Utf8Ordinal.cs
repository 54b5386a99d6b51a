using System.Text;

namespace MlacRelease.Core.Weights;

/// <summary>
/// Name encoding and ordering shared by <see cref="SafetensorsWriter"/> and <see cref="WeightDigest"/>.
/// Names are ordered by their UTF-8 bytes, which is Unicode code point order: the order Python's <c>sorted()</c>
/// and Rust's <c>str</c> comparison give, so other tools can reproduce files and digests. (UTF-16 ordinal order,
/// <see cref="StringComparer.Ordinal"/>, differs only for names mixing U+E000..U+FFFF with supplementary characters.)
/// </summary>
internal static class Utf8Ordinal
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>UTF-8 bytes of <paramref name="value"/>; throws <see cref="ArgumentException"/> on ill-formed UTF-16.</summary>
    public static byte[] Encode(string value, string what)
    {
        try
        {
            return Strict.GetBytes(value);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"{what} contains an unpaired UTF-16 surrogate and cannot be encoded as UTF-8.", ex);
        }
    }

    public static int Compare(byte[] left, byte[] right) => left.AsSpan().SequenceCompareTo(right);
}
