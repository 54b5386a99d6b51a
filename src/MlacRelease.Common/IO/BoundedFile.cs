using MlacRelease.Common.Errors;

namespace MlacRelease.Common.IO;

/// <summary>Reads a whole file that may come from someone else, refused before any byte is read when it is larger than
/// the caller allows. The length is taken from the opened stream and exactly that many bytes are read, so a file that
/// grows after the check cannot slip more past the bound.</summary>
public static class BoundedFile
{
    /// <param name="what">What the file should hold, for the messages ("certificate", "manifest").</param>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such {what} file", path);
        using var stream = File.OpenRead(path);
        if (stream.Length > maxBytes) throw new MlacInputException($"{path}: {stream.Length:N0} bytes; a {what} may have at most {maxBytes:N0}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
