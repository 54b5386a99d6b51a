namespace MlacRelease.Core.Data;

/// <summary>
/// Format-independent half of loading: validates field values, assigns missing ids, detects duplicate ids and
/// gathers errors up to the cap. The JSONL and CSV readers only turn bytes into field values.
/// </summary>
internal sealed class ExampleCollector
{
    private const int MaxQuotedChars = 60;
    private const int MaxListedLabels = 10;

    private readonly string _path;
    private readonly DatasetLoadOptions _options;
    private readonly HashSet<string>? _allowedDesired;
    private readonly HashSet<string>? _allowedHarmful;
    private readonly Dictionary<string, long> _idLines = new(StringComparer.Ordinal);
    private readonly List<Example> _examples = [];
    private readonly List<DatasetError> _errors = [];
    private long _records;

    public ExampleCollector(string path, DatasetLoadOptions options)
    {
        _path = path;
        _options = options;
        _allowedDesired = options.AllowedDesiredLabels is { } d ? new HashSet<string>(d, StringComparer.Ordinal) : null;
        _allowedHarmful = options.AllowedHarmfulLabels is { } h ? new HashSet<string>(h, StringComparer.Ordinal) : null;
    }

    public DatasetSchema Schema => _options.Schema;

    public IReadOnlyList<Example> Examples => _examples;

    public IReadOnlyList<DatasetError> Errors => _errors;

    /// <summary>
    /// The errors in file order and, within a line, in schema order (id, text, desired, harmful): type errors
    /// are found while parsing and value errors afterwards, which would otherwise interleave them.
    /// </summary>
    public IReadOnlyList<DatasetError> ErrorsInFileOrder()
    {
        var schema = _options.Schema;
        string[] order = [schema.Id, schema.Text, schema.Desired, schema.Harmful];
        return _errors
            .OrderBy(e => e.LineNumber ?? long.MaxValue)
            .ThenBy(e => e.Field is null ? -1 : Array.IndexOf(order, e.Field))
            .ToArray();
    }

    /// <summary>True once the cap is reached: readers stop, since further errors would be dropped anyway.</summary>
    public bool IsFull => _errors.Count >= _options.MaxErrors;

    public void Error(long? line, string? field, string message)
    {
        if (!IsFull)
            _errors.Add(new DatasetError(_path, line, field, message));
    }

    /// <summary>Counts a non-blank record (valid or not) and returns its 1-based ordinal, the n of "line-n".</summary>
    public long NextRecordOrdinal() => ++_records;

    /// <summary>
    /// Validates one record's values and keeps it when everything is valid. A null value means the reader
    /// already reported that field (or, for the id, that the field is absent and <paramref name="ordinal"/>
    /// names it); <paramref name="readerFoundErrors"/> says whether the reader reported anything for the record.
    /// </summary>
    public void Accept(long line, long ordinal, string? id, bool idPresent, string? text, string? desired, string? harmful, bool readerFoundErrors)
    {
        var errorsBefore = _errors.Count;
        var schema = _options.Schema;

        if (!idPresent)
            id = $"line-{ordinal}";
        else if (id is not null && !CheckName(line, schema.Id, id))
            id = null;

        if (text is not null)
        {
            if (text.Length == 0)
                Error(line, schema.Text, "expected a non-empty string, got an empty string");
            else if (string.IsNullOrWhiteSpace(text))
                Error(line, schema.Text, "expected a non-empty string, got only whitespace");
            else if (text.Length > _options.MaxTextLength)
                Error(line, schema.Text, $"text is {text.Length} characters long; the limit is {_options.MaxTextLength}");
        }

        if (desired is not null && CheckName(line, schema.Desired, desired))
            CheckAllowed(line, schema.Desired, desired, _allowedDesired);
        if (harmful is not null && CheckName(line, schema.Harmful, harmful))
            CheckAllowed(line, schema.Harmful, harmful, _allowedHarmful);

        // Ids are registered even when another field is bad, so a later duplicate is still reported.
        if (id is not null)
        {
            if (_idLines.TryGetValue(id, out var firstLine))
                Error(line, schema.Id, $"duplicate id {Quote(id)} (first used on line {firstLine})");
            else
                _idLines.Add(id, line);
        }

        if (!readerFoundErrors && _errors.Count == errorsBefore && id is not null && text is not null
            && desired is not null && harmful is not null)
            _examples.Add(new Example(id, text, desired, harmful));
    }

    /// <summary>Ids and labels: non-empty and without surrounding whitespace, since "nurse" and "nurse " would
    /// otherwise silently become two classes.</summary>
    private bool CheckName(long line, string field, string value)
    {
        string? problem = null;
        if (value.Length == 0)
            problem = "expected a non-empty string, got an empty string";
        else if (string.IsNullOrWhiteSpace(value))
            problem = "expected a non-empty string, got only whitespace";
        else if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
            problem = $"{Quote(value)} has leading or trailing whitespace";
        if (problem is null)
            return true;
        Error(line, field, problem);
        return false;
    }

    private void CheckAllowed(long line, string field, string value, HashSet<string>? allowed)
    {
        if (allowed is null || allowed.Contains(value))
            return;
        var listed = allowed.Order(StringComparer.Ordinal).Take(MaxListedLabels).Select(Quote);
        var more = allowed.Count > MaxListedLabels ? ", …" : "";
        Error(line, field, $"unknown label {Quote(value)} (expected one of {string.Join(", ", listed)}{more})");
    }

    /// <summary>Quotes a value for a message, shortened so a hostile megabyte-long label cannot flood the log.</summary>
    internal static string Quote(string value) =>
        value.Length <= MaxQuotedChars ? $"'{value}'" : $"'{value[..MaxQuotedChars]}…' ({value.Length} characters)";
}
