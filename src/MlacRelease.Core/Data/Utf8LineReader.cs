using System.Text;

namespace MlacRelease.Core.Data;

/// <summary>
/// Splits a UTF-8 stream into physical lines with a hard bound on the bytes held per line.
/// </summary>
/// <remarks>
/// <see cref="StreamReader.ReadLine"/> would buffer a hostile gigabyte-long line whole; this reader keeps at
/// most the bound and skips the rest of an overlong line. Splitting on the byte 0x0A before decoding is safe
/// because UTF-8 never uses that byte inside a multi-byte character, and decoding each line strictly gives
/// invalid-UTF-8 errors an exact line number (a decoder over the whole stream fails a buffer at a time).
/// A trailing CR is dropped so CRLF files read like LF files; a leading UTF-8 byte order mark is skipped.
/// </remarks>
internal sealed class Utf8LineReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly byte[] _chunk = new byte[64 * 1024];
    private int _chunkStart;
    private int _chunkEnd;
    private bool _endOfStream;
    private byte[] _line = new byte[1024];
    private long _number;

    public Utf8LineReader(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>Reads the next line; false at the end of the stream (a final terminator opens no empty line).</summary>
    public bool TryRead(out PhysicalLine line)
    {
        var length = 0;
        var tooLong = false;
        var sawBytes = false;
        while (true)
        {
            if (_chunkStart == _chunkEnd)
            {
                if (_endOfStream || !Fill())
                    break;
            }
            sawBytes = true;
            var available = _chunk.AsSpan(_chunkStart, _chunkEnd - _chunkStart);
            var newline = available.IndexOf((byte)'\n');
            var content = newline < 0 ? available : available[..newline];
            Append(content, ref length, ref tooLong);
            if (newline >= 0)
            {
                _chunkStart += newline + 1;
                break;
            }
            _chunkStart = _chunkEnd;
        }

        if (!sawBytes)
        {
            line = default;
            return false;
        }

        _number++;
        if (tooLong)
        {
            line = new PhysicalLine(_number, null, PhysicalLineStatus.TooLong);
            return true;
        }

        var bytes = _line.AsSpan(0, length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
            bytes = bytes[..^1];
        if (_number == 1 && bytes.StartsWith("\uFEFF"u8))
            bytes = bytes[3..];
        try
        {
            line = new PhysicalLine(_number, StrictUtf8.GetString(bytes), PhysicalLineStatus.Ok);
        }
        catch (DecoderFallbackException)
        {
            line = new PhysicalLine(_number, null, PhysicalLineStatus.InvalidUtf8);
        }
        return true;
    }

    private bool Fill()
    {
        _chunkStart = 0;
        _chunkEnd = _stream.Read(_chunk, 0, _chunk.Length);
        if (_chunkEnd == 0)
            _endOfStream = true;
        return _chunkEnd > 0;
    }

    private void Append(ReadOnlySpan<byte> content, ref int length, ref bool tooLong)
    {
        if (tooLong || content.IsEmpty)
            return;
        if ((long)length + content.Length > _maxLineBytes)
        {
            tooLong = true;
            return;
        }
        var needed = length + content.Length;
        if (needed > _line.Length)
            Array.Resize(ref _line, (int)Math.Min(Math.Max(needed, 2L * _line.Length), _maxLineBytes));
        content.CopyTo(_line.AsSpan(length));
        length = needed;
    }
}
