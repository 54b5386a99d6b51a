namespace MlacRelease.Common.IO;

/// <summary>Write-then-rename: a reader sees the old file or the new one, never a half-written one.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var buffer = bytes.ToArray();
        Write(path, stream => stream.Write(buffer));
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Runs <paramref name="write"/> against a temporary file in the target's folder, flushes it to disk, then renames it over the
    /// target. With <paramref name="overwrite"/> false the rename fails (IOException) when the target exists; <paramref name="mode"/> is set on the
    /// temporary file before anything is written to it (a private key is never readable by others, not even half-written).</summary>
    public static void Write(string path, Action<Stream> write, bool overwrite = true, UnixFileMode? mode = null)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (mode is { } m && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, m);
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
