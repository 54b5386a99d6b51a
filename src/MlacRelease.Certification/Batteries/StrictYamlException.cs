using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Batteries;

/// <summary>
/// A battery or policy file that cannot be accepted, with where and what: the message reads
/// "file:line:column: field: problem", the form editors and CI logs link to.
/// </summary>
public sealed class StrictYamlException : MlacInputException
{
    public StrictYamlException(string file, int line, int column, string field, string problem, Exception? inner = null)
        : base($"{file}:{line}:{column}: {(field.Length == 0 ? "" : field + ": ")}{problem}", inner)
    {
        File = file;
        Line = line;
        Column = column;
        Field = field;
        Problem = problem;
    }

    public string File { get; }

    /// <summary>1-based line.</summary>
    public int Line { get; }

    /// <summary>1-based column.</summary>
    public int Column { get; }

    /// <summary>Dotted path of the offending field, e.g. "attacks[2].learning_rate.min".</summary>
    public string Field { get; }

    public string Problem { get; }
}
