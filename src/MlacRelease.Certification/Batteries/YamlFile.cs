using System.Text;

namespace MlacRelease.Certification.Batteries;

/// <summary>
/// Reads a battery or policy file with a size bound. Both are a few kilobytes; a larger file is a mistake or an attack,
/// and is refused before it is read into memory. Reading stops one byte past the bound, so a file that grows after its
/// length was checked, or cannot tell its length (a pipe, /dev/zero), is refused too.
/// </summary>
internal static class YamlFile
{
    /// <summary>1 MiB, hundreds of times the largest shipped battery.</summary>
    public const int MaxBytes = 1 << 20;

    public static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.CanSeek && stream.Length > MaxBytes) throw TooLarge(path, $"the file is {stream.Length} bytes");
        var bytes = new byte[MaxBytes + 1];
        var count = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (count > MaxBytes) throw TooLarge(path, $"the file is more than {MaxBytes} bytes");
        // As File.ReadAllText: UTF-8 unless a byte-order mark says otherwise.
        using var reader = new StreamReader(new MemoryStream(bytes, 0, count), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public static StrictYamlException TooLarge(string file, string size) =>
        new(file, 1, 1, "", $"{size}; at most {MaxBytes} bytes (1 MiB) are accepted");
}
