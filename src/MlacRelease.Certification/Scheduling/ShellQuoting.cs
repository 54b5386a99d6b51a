using System.Text.RegularExpressions;

namespace MlacRelease.Certification.Scheduling;

/// <summary>POSIX shell quoting for the job scripts: arguments come from users and paths, never from a shell.</summary>
public static partial class ShellQuoting
{
    /// <summary>The word as the shell must see it: left bare when it holds only harmless characters, else single-quoted.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && Harmless().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    [GeneratedRegex("^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex Harmless();
}
