using System.Text;

namespace MlacRelease.Tests.Shared;

/// <summary>A fresh folder under the system temp folder (per test, or per fixture), deleted on dispose: the one way the
/// tests make a temporary folder.</summary>
public sealed class TempFolder : IDisposable
{
    /// <param name="prefix">Starts the folder's name, to tell whose folder a leftover is.</param>
    public TempFolder(string prefix = "mlac-tests-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>The path of <paramref name="name"/> inside the folder (nothing is created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes UTF-8 text without a byte order mark, exactly as given (no newline translation).</summary>
    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public string WriteBytes(string name, byte[] content)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>The names of the files directly in the folder, in ordinal order.</summary>
    public string[] Names() => [.. Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
