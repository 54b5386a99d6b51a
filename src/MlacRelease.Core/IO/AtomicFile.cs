using System.Text;

namespace MlacRelease.Core.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a torn file:
/// a crash or a full disk mid-write leaves the previous file (certificates, datasets, weights) intact.
/// </summary>
/// <remarks>
/// The content goes to a temporary file in the destination's own folder (a rename is only atomic within one
/// file system), is flushed to the device, and is then renamed over the destination. The folder entry itself
/// is not fsynced (.NET exposes no portable way), so after a power cut the rename may be lost, but the file is
/// never half-written. The destination's folder is created when missing.
/// </remarks>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="contents"/> as UTF-8 without a byte order mark.</summary>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        WriteAllBytes(path, Utf8NoBom.GetBytes(contents));
    }

    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> contents) =>
        Write(path, stream => stream.Write(contents.Span));

    /// <summary>
    /// Streams content through <paramref name="write"/> into the file. The callback must not dispose the
    /// stream (wrap it with leaveOpen: true); if it throws, the destination is untouched and the temporary
    /// file is removed.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
