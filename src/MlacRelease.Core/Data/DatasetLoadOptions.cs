namespace MlacRelease.Core.Data;

/// <summary>How <see cref="DatasetLoader"/> reads and validates a file.</summary>
public sealed record DatasetLoadOptions
{
    public static DatasetLoadOptions Default { get; } = new();

    public DatasetSchema Schema { get; init; } = DatasetSchema.Default;

    public DatasetFileFormat Format { get; init; } = DatasetFileFormat.Auto;

    /// <summary>When set, a desired label outside this set is an error (catches typos such as "nurse ").</summary>
    public IReadOnlyCollection<string>? AllowedDesiredLabels { get; init; }

    /// <summary>When set, a harmful label outside this set is an error.</summary>
    public IReadOnlyCollection<string>? AllowedHarmfulLabels { get; init; }

    /// <summary>Longest accepted text, in UTF-16 code units. Models truncate long before this; a longer text is
    /// more likely a broken file (a missing closing quote swallowing the rest of a CSV) than a real example.</summary>
    public int MaxTextLength { get; init; } = 100_000;

    /// <summary>Reading stops with an error beyond this many physical lines, so a runaway file cannot exhaust
    /// memory one small record at a time.</summary>
    public long MaxLines { get; init; } = 10_000_000;

    /// <summary>Longest accepted physical line (JSONL) or record (CSV), in bytes / characters. Null derives it
    /// from <see cref="MaxTextLength"/>: six bytes per character, the size of a <c>\uXXXX</c> JSON escape, plus
    /// 64 KiB for the other fields, so that any text within the limit still fits however it is escaped.</summary>
    public int? MaxLineBytes { get; init; }

    /// <summary>Errors collected before reading stops; all of them are reported in one exception.</summary>
    public int MaxErrors { get; init; } = 20;

    internal int EffectiveMaxLineBytes =>
        MaxLineBytes ?? (int)Math.Min(int.MaxValue / 2, 6L * MaxTextLength + 65_536);

    /// <summary>Throws <see cref="ArgumentException"/> for a non-positive bound or an invalid schema.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Schema);
        Schema.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTextLength, 1, nameof(MaxTextLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLines, 1, nameof(MaxLines));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxErrors, 1, nameof(MaxErrors));
        if (MaxLineBytes is { } max)
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 16, nameof(MaxLineBytes));
        if (!Enum.IsDefined(Format))
            throw new ArgumentOutOfRangeException(nameof(Format), Format, "Unknown dataset format.");
    }
}
