using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace MlacRelease.Core.Weights;

/// <summary>
/// Strict parser for the safetensors JSON header. It walks tokens with <see cref="Utf8JsonReader"/> instead of
/// building a <see cref="JsonDocument"/> because a document silently keeps duplicate keys, and a file whose two
/// "weight" entries are read differently by two tools is exactly what an attacker would craft.
/// </summary>
internal sealed class SafetensorsHeaderParser
{
    internal const string MetadataKey = "__metadata__";

    private static readonly JsonReaderOptions Options = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 8,
    };

    private readonly string? _source;
    private readonly SafetensorsLimits _limits;

    private SafetensorsHeaderParser(string? source, SafetensorsLimits limits)
    {
        _source = source;
        _limits = limits;
    }

    /// <summary>Parses <paramref name="json"/> (the header bytes, padding included); throws only <see cref="SafetensorsFormatException"/>.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, SafetensorsLimits limits, string? source) =>
        new SafetensorsHeaderParser(source, limits).ParseRoot(json);

    private SafetensorsHeader ParseRoot(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            throw Fail(null, "header is empty; expected a JSON object");
        }

        // Checked up front so the message can point at the byte; the JSON reader would only notice inside strings.
        if (!Utf8.IsValid(json))
        {
            int bad = FirstInvalidUtf8Offset(json);
            throw Fail(null, $"header is not valid UTF-8 (byte 0x{json[bad]:X2} at header offset {bad})");
        }

        // Like the reference implementation: no leading whitespace or byte order mark, and never an array or scalar.
        if (json[0] != (byte)'{')
        {
            throw Fail(null, $"header must be a JSON object starting with '{{' but starts with {DescribeByte(json[0])}");
        }

        var entries = new List<SafetensorsHeaderEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, Options);
        try
        {
            Next(ref reader, null);
            while (true)
            {
                Next(ref reader, null);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                string key = reader.GetString()!;
                if (!seen.Add(key))
                {
                    throw key == MetadataKey
                        ? Fail(null, $"duplicate key: {MetadataKey} appears more than once in the header")
                        : Fail(key, "duplicate key: the name appears more than once in the header");
                }

                Next(ref reader, key);
                if (key == MetadataKey)
                {
                    ParseMetadata(ref reader, metadata);
                    continue;
                }

                if (entries.Count == _limits.MaxTensors)
                {
                    throw Fail(null, $"header lists more than {_limits.MaxTensors} tensors (SafetensorsLimits.MaxTensors)");
                }

                entries.Add(ParseTensor(ref reader, key, entries.Count));
            }

            // JSON whitespace may pad the header (the reference writer pads with spaces); anything else is smuggled data.
            int end = checked((int)reader.BytesConsumed);
            for (int i = end; i < json.Length; i++)
            {
                if (json[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    throw Fail(null, $"trailing data after the header's JSON object: {DescribeByte(json[i])} at header offset {i}; only space padding may follow the object");
                }
            }
        }
        catch (JsonException ex)
        {
            throw Fail(null, $"header is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // GetString throws this for escapes that decode to ill-formed UTF-16, e.g. "\ud800".
            throw Fail(null, $"header contains a string that is not valid Unicode: {ex.Message}", ex);
        }

        return new SafetensorsHeader(entries, metadata);
    }

    private void ParseMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(null, $"{MetadataKey} must be an object of string values, found {DescribeToken(ref reader)}");
        }

        while (true)
        {
            Next(ref reader, null);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            string key = reader.GetString()!;
            Next(ref reader, null);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Fail(null, $"{MetadataKey} value for {SafetensorsFormatException.Quote(key)} must be a string, found {DescribeToken(ref reader)}");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw Fail(null, $"duplicate key: {MetadataKey} has {SafetensorsFormatException.Quote(key)} more than once");
            }
        }
    }

    private SafetensorsHeaderEntry ParseTensor(ref Utf8JsonReader reader, string name, int index)
    {
        if (TensorRecord.GetNameError(name) is { } nameError)
        {
            throw Fail(name, nameError);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(name, $"entry must be an object with dtype, shape and data_offsets, found {DescribeToken(ref reader)}");
        }

        TensorDType? dtype = null;
        long[]? shape = null;
        (long Begin, long End)? offsets = null;
        while (true)
        {
            Next(ref reader, name);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.ValueTextEquals("dtype"u8))
            {
                EnsureFirst(dtype.HasValue, name, "dtype");
                Next(ref reader, name);
                dtype = ParseDType(ref reader, name);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                EnsureFirst(shape is not null, name, "shape");
                Next(ref reader, name);
                shape = ParseShape(ref reader, name);
            }
            else if (reader.ValueTextEquals("data_offsets"u8))
            {
                EnsureFirst(offsets.HasValue, name, "data_offsets");
                Next(ref reader, name);
                offsets = ParseOffsets(ref reader, name);
            }
            else
            {
                throw Fail(name, $"unknown field {SafetensorsFormatException.Quote(reader.GetString()!)}; an entry has only dtype, shape and data_offsets");
            }
        }

        if (dtype is not { } dt)
        {
            throw Fail(name, "entry has no dtype");
        }

        if (shape is null)
        {
            throw Fail(name, "entry has no shape");
        }

        if (offsets is not { } range)
        {
            throw Fail(name, "entry has no data_offsets");
        }

        (long begin, long end) = range;
        if (begin > end)
        {
            throw Fail(name, $"data_offsets [{begin}, {end}] have begin > end");
        }

        string described = ShapeMath.Describe(dt, shape);
        if (!ShapeMath.TryGetByteLength(dt, shape, out long needed))
        {
            throw Fail(name, $"{described} has more elements or bytes than a 64-bit integer can count (shape product overflows)");
        }

        if (end - begin != needed)
        {
            throw Fail(name, $"data_offsets [{begin}, {end}] hold {end - begin} bytes but {described} needs {needed}");
        }

        return new SafetensorsHeaderEntry(name, dt, shape, begin, end, index);
    }

    private TensorDType ParseDType(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Fail(name, $"dtype must be a string, found {DescribeToken(ref reader)}");
        }

        string text = reader.GetString()!;
        return TensorDTypeExtensions.TryParseSafetensorsDType(text, out TensorDType dtype)
            ? dtype
            : throw Fail(name, $"unknown or unsupported dtype {SafetensorsFormatException.Quote(text, 40)} (supported: {TensorDTypeExtensions.SupportedList})");
    }

    private long[] ParseShape(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(name, $"shape must be an array of non-negative integers, found {DescribeToken(ref reader)}");
        }

        var dims = new List<long>(4);
        while (true)
        {
            Next(ref reader, name);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return [.. dims];
            }

            if (dims.Count == _limits.MaxRank)
            {
                throw Fail(name, $"shape has more than {_limits.MaxRank} dims (SafetensorsLimits.MaxRank)");
            }

            dims.Add(ReadNonNegative(ref reader, name, $"shape dim {dims.Count}"));
        }
    }

    private (long Begin, long End) ParseOffsets(ref Utf8JsonReader reader, string name)
    {
        const string Expected = "data_offsets must be [begin, end], two non-negative integers";
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(name, $"{Expected}, found {DescribeToken(ref reader)}");
        }

        Next(ref reader, name);
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            throw Fail(name, $"{Expected}, found an empty array");
        }

        long begin = ReadNonNegative(ref reader, name, "data_offsets begin");
        Next(ref reader, name);
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            throw Fail(name, $"{Expected}, found only one value");
        }

        long end = ReadNonNegative(ref reader, name, "data_offsets end");
        Next(ref reader, name);
        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw Fail(name, $"{Expected}, found more than two values");
        }

        return (begin, end);
    }

    /// <summary>
    /// Accepts only plain digit strings: "-0", "1.0" and "1e3" are all refused rather than interpreted,
    /// because the reference parser (serde into usize) refuses them too.
    /// </summary>
    private long ReadNonNegative(ref Utf8JsonReader reader, string name, string what)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Fail(name, $"{what} must be a non-negative integer, found {DescribeToken(ref reader)}");
        }

        ReadOnlySpan<byte> text = reader.ValueSpan;
        string shown = Shorten(text);
        if (text[0] == (byte)'-')
        {
            throw Fail(name, $"{what} must be a non-negative integer, found negative {shown}");
        }

        foreach (byte b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw Fail(name, $"{what} must be a non-negative integer, found {shown}");
            }
        }

        return reader.TryGetInt64(out long value)
            ? value
            : throw Fail(name, $"{what} must fit in a signed 64-bit integer, found {shown}");
    }

    private void EnsureFirst(bool alreadySeen, string name, string field)
    {
        if (alreadySeen)
        {
            throw Fail(name, $"duplicate key: field '{field}' appears more than once in the entry");
        }
    }

    private void Next(ref Utf8JsonReader reader, string? name)
    {
        // With the whole header as a final block the reader throws on malformed or truncated JSON,
        // so running out of tokens here means the object was never closed.
        if (!reader.Read())
        {
            throw Fail(name, "header JSON ends before its object is closed");
        }
    }

    private SafetensorsFormatException Fail(string? tensorName, string problem, Exception? inner = null) =>
        new(_source, tensorName, problem, inner);

    private static string DescribeToken(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => $"the number {Shorten(reader.ValueSpan)}",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static string Shorten(ReadOnlySpan<byte> numberText) =>
        numberText.Length <= 40
            ? Encoding.ASCII.GetString(numberText)
            : $"{Encoding.ASCII.GetString(numberText[..40])}…({numberText.Length} chars)";

    private static string DescribeByte(byte b) =>
        b is >= 0x21 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";

    private static int FirstInvalidUtf8Offset(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return 0;
    }
}
