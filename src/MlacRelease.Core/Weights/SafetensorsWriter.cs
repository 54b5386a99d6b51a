using System.Globalization;
using System.Text;

namespace MlacRelease.Core.Weights;

/// <summary>
/// Writes canonical safetensors files: the same tensors and metadata always give the same bytes, whatever order
/// they are supplied in, so a released file can be rebuilt and compared byte for byte.
/// </summary>
/// <remarks>
/// Canonical form: tensors sorted by name (UTF-8 byte order, see <see cref="WeightDigest"/>), data concatenated in that
/// order with no padding between tensors; a compact JSON header with "__metadata__" first (omitted when there is none)
/// and its keys in the same order, then each tensor as {"dtype","shape","data_offsets"}; strings escaped only where
/// JSON requires it (quote, backslash, control characters, as serde_json does), everything else raw UTF-8; the header
/// padded with spaces to a multiple of 8 bytes so the data buffer starts 8-byte aligned.
/// Tensors are not aligned to their element size inside the buffer (the format does not require it).
/// </remarks>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes atomically: the bytes go to a temporary file in the target's folder, are flushed to disk, and the file is
    /// then renamed over <paramref name="path"/>. A failure at any point leaves the previous file untouched and removes
    /// the temporary file.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid input: see <see cref="WriteToArray"/>.</exception>
    public static void Write(string path, IEnumerable<TensorRecord> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // Everything that can reject the input runs before the disk is touched.
        Layout layout = Prepare(tensors, metadata);

        string target = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        string stem = Path.GetFileName(target);
        if (stem.Length > 64)
        {
            stem = stem[..64];
        }

        // Same folder so the final rename stays on one file system and is atomic.
        string temp = Path.Combine(folder, $".{stem}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WriteLayout(stream, layout);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes the canonical bytes to <paramref name="stream"/> at its current position.</summary>
    public static void Write(Stream stream, IEnumerable<TensorRecord> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteLayout(stream, Prepare(tensors, metadata));
    }

    /// <summary>Returns the canonical bytes.</summary>
    /// <exception cref="ArgumentException">
    /// A tensor is null; two tensors share a name; a tensor is named "__metadata__"; a metadata key or value is null or
    /// not well-formed UTF-16; the header would exceed the 100,000,000 bytes readers accept; or (for this method only)
    /// the result is larger than one array can hold.
    /// </exception>
    public static byte[] WriteToArray(IEnumerable<TensorRecord> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Layout layout = Prepare(tensors, metadata);
        if (layout.TotalLength > Array.MaxLength)
        {
            throw new ArgumentException($"The file would be {layout.TotalLength} bytes, more than one array can hold; write to a path or stream.", nameof(tensors));
        }

        var result = new byte[layout.TotalLength];
        using var stream = new MemoryStream(result, writable: true);
        WriteLayout(stream, layout);
        return result;
    }

    private static Layout Prepare(IEnumerable<TensorRecord> tensors, IReadOnlyDictionary<string, string>? metadata)
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

            if (tensor.Name == SafetensorsHeaderParser.MetadataKey)
            {
                throw new ArgumentException($"'{SafetensorsHeaderParser.MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            }

            entries.Add((Utf8Ordinal.Encode(tensor.Name, $"Tensor name '{tensor.Name}'"), tensor));
        }

        entries.Sort(static (a, b) => Utf8Ordinal.Compare(a.Name, b.Name));

        var json = new MemoryStream();
        json.WriteByte((byte)'{');
        bool first = true;
        if (metadata is { Count: > 0 })
        {
            var pairs = new List<(byte[] Key, byte[] Value)>(metadata.Count);
            foreach ((string? key, string? value) in metadata)
            {
                if (key is null || value is null)
                {
                    throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
                }

                pairs.Add((Utf8Ordinal.Encode(key, $"Metadata key '{key}'"), Utf8Ordinal.Encode(value, $"Metadata value for '{key}'")));
            }

            pairs.Sort(static (a, b) => Utf8Ordinal.Compare(a.Key, b.Key));
            WriteJsonString(json, Encoding.UTF8.GetBytes(SafetensorsHeaderParser.MetadataKey));
            json.Write(":{"u8);
            for (int i = 0; i < pairs.Count; i++)
            {
                if (i > 0)
                {
                    json.WriteByte((byte)',');
                }

                WriteJsonString(json, pairs[i].Key);
                json.WriteByte((byte)':');
                WriteJsonString(json, pairs[i].Value);
            }

            json.WriteByte((byte)'}');
            first = false;
        }

        long offset = 0;
        foreach ((byte[] name, TensorRecord tensor) in entries)
        {
            if (!first)
            {
                json.WriteByte((byte)',');
            }

            first = false;
            WriteJsonString(json, name);
            json.Write(":{\"dtype\":\""u8);
            json.Write(Encoding.ASCII.GetBytes(tensor.DType.ToSafetensorsString()));
            json.Write("\",\"shape\":["u8);
            for (int i = 0; i < tensor.Shape.Length; i++)
            {
                if (i > 0)
                {
                    json.WriteByte((byte)',');
                }

                WriteAscii(json, tensor.Shape[i].ToString(CultureInfo.InvariantCulture));
            }

            long end = offset + tensor.Data.Length;
            WriteAscii(json, FormattableString.Invariant($"],\"data_offsets\":[{offset},{end}]}}"));
            offset = end;
        }

        json.WriteByte((byte)'}');

        // Space padding is what the reference writer emits and every reader skips as JSON whitespace.
        while (json.Length % 8 != 0)
        {
            json.WriteByte((byte)' ');
        }

        if (json.Length > SafetensorsLimits.Default.MaxHeaderBytes)
        {
            throw new ArgumentException($"The header would be {json.Length} bytes; readers accept at most {SafetensorsLimits.Default.MaxHeaderBytes}.", nameof(tensors));
        }

        return new Layout(json.ToArray(), entries.ConvertAll(static e => e.Tensor), 8 + json.Length + offset);
    }

    private static void WriteLayout(Stream stream, Layout layout)
    {
        Span<byte> prefix = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)layout.Header.Length);
        stream.Write(prefix);
        stream.Write(layout.Header);
        foreach (TensorRecord tensor in layout.Tensors)
        {
            stream.Write(tensor.Data.Span);
        }
    }

    /// <summary>serde_json's escaping: only what JSON requires, short forms where they exist, lowercase \u00xx otherwise.</summary>
    private static void WriteJsonString(MemoryStream json, byte[] utf8)
    {
        json.WriteByte((byte)'"');
        foreach (byte b in utf8)
        {
            switch (b)
            {
                case (byte)'"': json.Write("\\\""u8); break;
                case (byte)'\\': json.Write("\\\\"u8); break;
                case (byte)'\b': json.Write("\\b"u8); break;
                case (byte)'\f': json.Write("\\f"u8); break;
                case (byte)'\n': json.Write("\\n"u8); break;
                case (byte)'\r': json.Write("\\r"u8); break;
                case (byte)'\t': json.Write("\\t"u8); break;
                case < 0x20: WriteAscii(json, $"\\u{b:x4}"); break;
                default: json.WriteByte(b); break;
            }
        }

        json.WriteByte((byte)'"');
    }

    private static void WriteAscii(MemoryStream stream, string ascii) => stream.Write(Encoding.ASCII.GetBytes(ascii));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original failure is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record Layout(byte[] Header, List<TensorRecord> Tensors, long TotalLength);
}
