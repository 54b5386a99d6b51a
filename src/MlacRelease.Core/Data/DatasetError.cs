namespace MlacRelease.Core.Data;

/// <summary>One problem found in a dataset file.</summary>
/// <param name="FilePath">The file as the caller named it.</param>
/// <param name="LineNumber">1-based physical line where the offending record starts; null for whole-file problems.</param>
/// <param name="Field">Schema field name (e.g. "desired") the problem concerns; null when it is not about one field.</param>
/// <param name="Message">What is wrong, without the location.</param>
public sealed record DatasetError(string FilePath, long? LineNumber, string? Field, string Message)
{
    /// <summary>Formats as <c>path:line: field 'f': message</c>, the compiler convention editors can jump to.</summary>
    public override string ToString()
    {
        var location = LineNumber is { } line ? $"{FilePath}:{line}" : FilePath;
        return Field is null ? $"{location}: {Message}" : $"{location}: field '{Field}': {Message}";
    }
}
