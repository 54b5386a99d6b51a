using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MlacRelease.Core.Weights;

/// <summary>
/// Reads safetensors files (https://github.com/huggingface/safetensors) defensively: every claim in the file is
/// checked against <see cref="SafetensorsLimits"/> and against the bytes actually present before anything is allocated.
/// </summary>
/// <remarks>
/// <para>Layout: an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON (optionally space-padded),
/// then the data buffer; each tensor's data_offsets are relative to the start of that buffer. The tensors must
/// tile the buffer exactly (no overlap, no hole, no trailing bytes), as the reference implementation requires.</para>
/// <para>Memory: each tensor's bytes are copied into a private <c>byte[]</c> of exactly its size, read straight from the
/// source in file order. Nothing holds the whole file, tensors can be released one by one, and the records never alias
/// the caller's buffer. The cost is that one tensor must fit in one array (at most <see cref="Array.MaxLength"/> bytes,
/// about 2 GiB); larger tensors are reported as a <see cref="SafetensorsFormatException"/>.</para>
/// <para>Errors: malformed or over-limit content always surfaces as <see cref="SafetensorsFormatException"/>.
/// Failing to open or read the source itself (missing file, permissions, a device error, or whatever a caller's
/// <see cref="Stream"/> throws) is not a format problem and propagates unchanged.</para>
/// </remarks>
public static class SafetensorsReader
{
    // Unknown-length streams grow their buffers from here, so a header that claims gigabytes costs only as much
    // memory as the bytes that actually arrive.
    private const int InitialChunk = 1 << 20;

    /// <summary>Reads the file at <paramref name="path"/>; error messages name the path as given.</summary>
    public static SafetensorsFile Read(string path, SafetensorsLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);

        // A path can name a pipe or device, which has no length; it is then read like any non-seekable stream.
        return ReadCore(stream, stream.CanSeek ? stream.Length : null, limits ?? SafetensorsLimits.Default, path);
    }

    /// <summary>
    /// Reads from the current position of <paramref name="stream"/> to its end. A seekable stream's length is used
    /// to reject impossible claims up front; a non-seekable one is read incrementally and must end right after the last tensor.
    /// </summary>
    /// <param name="sourceName">Name for error messages; defaults to the path of a <see cref="FileStream"/>.</param>
    public static SafetensorsFile Read(Stream stream, SafetensorsLimits? limits = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        long? length = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;
        return ReadCore(stream, length, limits ?? SafetensorsLimits.Default, sourceName ?? (stream as FileStream)?.Name);
    }

    /// <summary>Reads a whole safetensors image held in memory; the tensors get their own copies of the bytes.</summary>
    /// <param name="sourceName">Name for error messages, e.g. the file the bytes came from.</param>
    public static SafetensorsFile Read(ReadOnlyMemory<byte> data, SafetensorsLimits? limits = null, string? sourceName = null)
    {
        using var stream = new ReadOnlyMemoryStream(data);
        return ReadCore(stream, data.Length, limits ?? SafetensorsLimits.Default, sourceName);
    }

    private static SafetensorsFile ReadCore(Stream stream, long? length, SafetensorsLimits limits, string? source)
    {
        SafetensorsFormatException Fail(string? tensor, string problem, Exception? inner = null) => new(source, tensor, problem, inner);

        if (length is { } fileLength)
        {
            if (fileLength == 0)
            {
                throw Fail(null, "file is empty; expected an 8-byte header length, a JSON header and tensor data");
            }

            if (fileLength < 8)
            {
                throw Fail(null, $"file is {fileLength} bytes, shorter than the 8-byte header length");
            }

            if (fileLength > limits.MaxFileBytes)
            {
                throw Fail(null, $"file is {fileLength} bytes, more than SafetensorsLimits.MaxFileBytes ({limits.MaxFileBytes})");
            }
        }

        Span<byte> prefix = stackalloc byte[8];
        int got = ReadUpTo(stream, prefix);
        if (got == 0)
        {
            throw Fail(null, "file is empty; expected an 8-byte header length, a JSON header and tensor data");
        }

        if (got < 8)
        {
            throw Fail(null, $"file is {got} bytes, shorter than the 8-byte header length");
        }

        // Both checks come before the header is allocated: the claim must be within the limit and within the file.
        ulong claimed = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (claimed > (ulong)limits.MaxHeaderBytes)
        {
            throw Fail(null, $"header length is {claimed} bytes, more than SafetensorsLimits.MaxHeaderBytes ({limits.MaxHeaderBytes})");
        }

        if (length is { } total && claimed > (ulong)(total - 8))
        {
            throw Fail(null, $"header length is {claimed} bytes but only {total - 8} bytes follow the 8-byte length prefix");
        }

        long headerLength = (long)claimed;
        byte[] headerBytes = ReadBlock(stream, headerLength, length is not null, filled =>
            Fail(null, $"header length is {headerLength} bytes but the file ends {filled} bytes into the header"));

        SafetensorsHeader header = SafetensorsHeaderParser.Parse(headerBytes, limits, source);

        long dataStart = 8 + headerLength;
        if (dataStart > limits.MaxFileBytes)
        {
            throw Fail(null, $"header ends at byte {dataStart}, past SafetensorsLimits.MaxFileBytes ({limits.MaxFileBytes})");
        }

        long? bufferLength = length - dataStart;
        SafetensorsHeaderEntry[] ordered = [.. header.Entries];
        Array.Sort(ordered, static (a, b) =>
            a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin)
            : a.End != b.End ? a.End.CompareTo(b.End)
            : a.HeaderIndex.CompareTo(b.HeaderIndex));

        // A non-seekable stream's true size is unknown until it ends, so the file-size limit stands in for it.
        long bufferBound = bufferLength ?? limits.MaxFileBytes - dataStart;
        foreach (SafetensorsHeaderEntry e in ordered)
        {
            if (e.End > bufferBound)
            {
                throw bufferLength is { } known
                    ? Fail(e.Name, $"data_offsets [{e.Begin}, {e.End}] end past the end of the {known}-byte data buffer (file truncated or offsets wrong)")
                    : Fail(e.Name, $"data_offsets [{e.Begin}, {e.End}] would make the file larger than SafetensorsLimits.MaxFileBytes ({limits.MaxFileBytes})");
            }
        }

        long covered = 0;
        SafetensorsHeaderEntry? previous = null;
        foreach (SafetensorsHeaderEntry e in ordered)
        {
            if (e.Begin < covered)
            {
                throw Fail(e.Name, $"data_offsets [{e.Begin}, {e.End}] overlap tensor {SafetensorsFormatException.Quote(previous!.Name)} at [{previous.Begin}, {previous.End}]");
            }

            if (e.Begin > covered)
            {
                string after = previous is null ? "the first tensor must begin at 0" : $"the previous tensor {SafetensorsFormatException.Quote(previous.Name)} ends at {covered}";
                throw Fail(e.Name, $"data_offsets [{e.Begin}, {e.End}] leave a hole: bytes [{covered}, {e.Begin}) of the data buffer belong to no tensor ({after})");
            }

            covered = e.End;
            previous = e;
        }

        if (bufferLength is { } buffer && covered != buffer)
        {
            throw Fail(null, $"the data buffer is {buffer} bytes but the tensors cover only [0, {covered}); the last {buffer - covered} bytes belong to no tensor");
        }

        foreach (SafetensorsHeaderEntry e in ordered)
        {
            if (e.ByteLength > Array.MaxLength)
            {
                throw Fail(e.Name, $"{ShapeMath.Describe(e.DType, e.Shape)} is {e.ByteLength} bytes; one tensor may be at most {Array.MaxLength} bytes in memory");
            }
        }

        var records = new TensorRecord[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            SafetensorsHeaderEntry e = ordered[i];
            byte[] data = ReadBlock(stream, e.ByteLength, length is not null, filled =>
                Fail(e.Name, $"the file ends at byte {dataStart + e.Begin + filled}, inside its data [{e.Begin}, {e.End}] (truncated, or changed while being read)"));
            try
            {
                records[i] = new TensorRecord(e.Name, e.DType, ImmutableCollectionsMarshal.AsImmutableArray(e.Shape), data);
            }
            catch (ArgumentException ex)
            {
                // The parser already enforces every rule the record checks; this only keeps the one-exception promise.
                throw Fail(e.Name, ex.Message, ex);
            }
        }

        if (length is null)
        {
            Span<byte> probe = stackalloc byte[1];
            if (ReadUpTo(stream, probe) != 0)
            {
                throw Fail(null, $"data continues after the last tensor ends at data buffer offset {covered}; the format allows no trailing bytes");
            }
        }

        return new SafetensorsFile(records, header.Metadata);
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes. When the source length was checked up front the array is allocated
    /// at once; otherwise it grows as bytes arrive, so a false claim fails at end-of-stream instead of at allocation.
    /// </summary>
    private static byte[] ReadBlock(Stream stream, long count, bool lengthChecked, Func<long, SafetensorsFormatException> onShort)
    {
        if (count == 0)
        {
            return [];
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)(lengthChecked ? count : Math.Min(count, InitialChunk)));
        int filled = 0;
        while (true)
        {
            int n = ReadUpTo(stream, buffer.AsSpan(filled));
            filled += n;
            if (filled < buffer.Length)
            {
                throw onShort(filled);
            }

            if (filled == count)
            {
                return buffer;
            }

            Array.Resize(ref buffer, (int)Math.Min(count, (long)buffer.Length * 2));
        }
    }

    /// <summary>Fills <paramref name="destination"/> unless the stream ends first; returns the bytes read.</summary>
    private static int ReadUpTo(Stream stream, Span<byte> destination)
    {
        int filled = 0;
        while (filled < destination.Length)
        {
            int n = stream.Read(destination[filled..]);
            if (n <= 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }
}
