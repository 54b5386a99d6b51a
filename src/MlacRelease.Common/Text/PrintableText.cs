using System.Globalization;
using System.Text;

namespace MlacRelease.Common.Text;

/// <summary>
/// Text from a file (a tokenizer's token, an ONNX metadata key, a manifest path) made safe to print on one line. A
/// newline in such text could forge a "gate: PASS" line in a CI log, an ANSI escape could rewrite the terminal, and a
/// bidirectional override could show a name other than the one it is; each becomes a visible \uXXXX escape instead.
/// </summary>
public static class PrintableText
{
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(NeedsEscape)) return text;
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (NeedsEscape(c)) builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>Control characters, format characters (bidirectional overrides, zero-width marks) and the Unicode line
    /// and paragraph separators.</summary>
    private static bool NeedsEscape(char c) => char.IsControl(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
