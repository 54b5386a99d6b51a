using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Data;

/// <summary>
/// A dataset file could not be loaded. Carries every problem found (up to the loader's cap) so a user can fix
/// a file in one pass; the location properties are those of the first problem.
/// </summary>
/// <remarks>An input error (<see cref="MlacInputException"/>): the CLI's exit code 2.</remarks>
public sealed class DatasetFormatException : MlacInputException
{
    public DatasetFormatException(IReadOnlyList<DatasetError> errors, bool mayHaveMore = false, Exception? innerException = null)
        : base(Describe(errors, mayHaveMore), innerException)
    {
        Errors = errors;
        MayHaveMore = mayHaveMore;
    }

    public DatasetFormatException(DatasetError error, Exception? innerException = null)
        : this([error], false, innerException)
    {
    }

    /// <summary>All problems, in file order.</summary>
    public IReadOnlyList<DatasetError> Errors { get; }

    /// <summary>True when reading stopped at the error cap, so the file may hold further problems.</summary>
    public bool MayHaveMore { get; }

    public string FilePath => Errors[0].FilePath;

    public long? LineNumber => Errors[0].LineNumber;

    public string? Field => Errors[0].Field;

    private static string Describe(IReadOnlyList<DatasetError> errors, bool mayHaveMore)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
            throw new ArgumentException("At least one error is required.", nameof(errors));
        // The first line is the first error on its own, so a one-error message reads like a compiler diagnostic.
        var text = string.Join('\n', errors);
        if (errors.Count > 1 || mayHaveMore)
            text += mayHaveMore
                ? $"\n({errors.Count} errors; reading stopped there, the file may hold more)"
                : $"\n({errors.Count} errors)";
        return text;
    }
}
