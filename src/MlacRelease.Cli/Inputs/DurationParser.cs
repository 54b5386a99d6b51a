using System.Globalization;
using MlacRelease.Cli.Terminal;

namespace MlacRelease.Cli.Inputs;

/// <summary>"90s", "30m", "1.5h" or "hh:mm:ss".</summary>
public static class DurationParser
{
    public static TimeSpan Parse(string text, string option)
    {
        var t = text.Trim();
        if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) && t.Contains(':')) return Positive(span, text, option);
        if (t.Length > 1 && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return t[^1] switch
            {
                's' => Positive(TimeSpan.FromSeconds(value), text, option),
                'm' => Positive(TimeSpan.FromMinutes(value), text, option),
                'h' => Positive(TimeSpan.FromHours(value), text, option),
                _ => throw Invalid(text, option),
            };
        }
        throw Invalid(text, option);
    }

    private static TimeSpan Positive(TimeSpan span, string text, string option) => span > TimeSpan.Zero ? span : throw Invalid(text, option);

    private static CliException Invalid(string text, string option) =>
        new($"{option} {text}: expected a positive duration such as 90s, 30m, 1.5h or 00:30:00");
}
