using System.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Weights;

/// <summary>
/// A safetensors file (or stream, or buffer) is malformed or exceeds a <see cref="SafetensorsLimits"/> bound.
/// This is the only exception the reader throws for bad content, so callers can catch it alone to reject a
/// stranger's upload. The message reads "&lt;source&gt;: tensor '&lt;name&gt;': &lt;what was expected vs found&gt;".
/// </summary>
/// <remarks>An input error (<see cref="MlacInputException"/>): the CLI's exit code 2.</remarks>
public sealed class SafetensorsFormatException : MlacInputException
{
    /// <summary>Creates an exception with a bare message.</summary>
    public SafetensorsFormatException(string message)
        : base(message)
    {
        Problem = message;
    }

    /// <summary>Creates an exception with a bare message and its cause.</summary>
    public SafetensorsFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>Creates an exception whose message names the source and tensor when they are known.</summary>
    public SafetensorsFormatException(string? sourceName, string? tensorName, string problem, Exception? innerException = null)
        : base(Compose(sourceName, tensorName, problem), innerException)
    {
        SourceName = sourceName;
        TensorName = tensorName;
        Problem = problem;
    }

    /// <summary>The file path (or caller-supplied name) of what was being read; null when unknown.</summary>
    public string? SourceName { get; }

    /// <summary>The tensor the problem concerns; null when it concerns the file as a whole.</summary>
    public string? TensorName { get; }

    /// <summary>The problem alone, without the source and tensor prefix.</summary>
    public string Problem { get; }

    private static string Compose(string? sourceName, string? tensorName, string problem)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(sourceName))
        {
            sb.Append(sourceName).Append(": ");
        }

        if (tensorName is not null)
        {
            sb.Append("tensor ").Append(Quote(tensorName)).Append(": ");
        }

        return sb.Append(problem).ToString();
    }

    /// <summary>
    /// Renders text taken from a file for a message: quoted, control and format characters escaped and long
    /// values cut, because names come from strangers and end up in logs and terminals.
    /// </summary>
    internal static string Quote(string value, int maxChars = 200)
    {
        var sb = new StringBuilder(Math.Min(value.Length, maxChars) + 8);
        sb.Append('\'');
        int shown = 0;
        foreach (char c in value)
        {
            // Never cut between the halves of a surrogate pair.
            if (shown >= maxChars && !(shown > 0 && char.IsLowSurrogate(c) && char.IsHighSurrogate(value[shown - 1])))
            {
                sb.Append($"…(+{value.Length - shown} chars)");
                break;
            }

            if (char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format
                || (char.IsSurrogate(c) && IsLoneSurrogate(value, shown)))
            {
                sb.Append($"\\u{(int)c:X4}");
            }
            else if (c is '\'' or '\\')
            {
                sb.Append('\\').Append(c);
            }
            else
            {
                sb.Append(c);
            }

            shown++;
        }

        return sb.Append('\'').ToString();
    }

    private static bool IsLoneSurrogate(string value, int index)
    {
        char c = value[index];
        return char.IsHighSurrogate(c)
            ? index + 1 >= value.Length || !char.IsLowSurrogate(value[index + 1])
            : index == 0 || !char.IsHighSurrogate(value[index - 1]);
    }
}
