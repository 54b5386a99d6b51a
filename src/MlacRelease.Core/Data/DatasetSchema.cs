using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Data;

/// <summary>
/// Field names (JSONL keys or CSV header columns) under which a dataset file stores the parts of an
/// <see cref="Example"/>. Names are matched exactly (ordinal), as JSON keys are case-sensitive.
/// </summary>
/// <remarks>
/// The id field is optional in a file: a record without it gets the id <c>line-&lt;n&gt;</c>, where n is the
/// 1-based number of the record among the file's non-blank records (not the physical line), so that a JSONL
/// file and a CSV file holding the same rows in the same order get the same ids, and hence the same digest.
/// </remarks>
public sealed record DatasetSchema
{
    /// <summary>The conventional names: id, text, desired, harmful.</summary>
    public static DatasetSchema Default { get; } = new();

    public string Id { get; init; } = "id";
    public string Text { get; init; } = "text";
    public string Desired { get; init; } = "desired";
    public string Harmful { get; init; } = "harmful";

    /// <summary>Throws <see cref="MlacInputException"/> when a name is blank or two fields share a name.</summary>
    public void Validate()
    {
        string[] names = [Id, Text, Desired, Harmful];
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new MlacInputException("Dataset field names must be non-blank.");
        }
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new MlacInputException(
                $"Dataset field names must be distinct, got id='{Id}', text='{Text}', desired='{Desired}', harmful='{Harmful}'.");
    }
}
