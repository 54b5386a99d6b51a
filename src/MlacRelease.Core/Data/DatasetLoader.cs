namespace MlacRelease.Core.Data;

/// <summary>
/// Loads a labelled dataset from JSONL or CSV, validating every record and reporting all problems (up to
/// <see cref="DatasetLoadOptions.MaxErrors"/>) in one <see cref="DatasetFormatException"/>.
/// </summary>
/// <remarks>
/// Hostile input is bounded: no line, record or text is held beyond its configured limit, the line count is
/// capped, and every failure surfaces as a <see cref="DatasetFormatException"/> rather than a crash.
/// Files must be UTF-8 (a byte order mark is tolerated).
/// </remarks>
public static class DatasetLoader
{
    /// <summary>Loads a file. Throws <see cref="DatasetFormatException"/> for a missing, unreadable or invalid file.</summary>
    public static Dataset Load(string path, DatasetLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= DatasetLoadOptions.Default;
        options.Validate();
        var format = options.Format == DatasetFileFormat.Auto ? InferFormat(path) : options.Format;

        if (Directory.Exists(path))
            throw new DatasetFormatException(new DatasetError(path, null, null, "is a directory, not a dataset file"));
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DatasetFormatException(new DatasetError(path, null, null, "file does not exist"), ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new DatasetFormatException(new DatasetError(path, null, null, "file cannot be read (access denied)"), ex);
        }

        using (stream)
            return Load(stream, path, options with { Format = format });
    }

    /// <summary>
    /// Loads from a stream. <paramref name="sourceName"/> names the data in messages and, when
    /// <see cref="DatasetLoadOptions.Format"/> is Auto, supplies the extension the format is inferred from.
    /// </summary>
    public static Dataset Load(Stream stream, string sourceName, DatasetLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        options ??= DatasetLoadOptions.Default;
        options.Validate();
        var format = options.Format == DatasetFileFormat.Auto ? InferFormat(sourceName) : options.Format;

        var collector = new ExampleCollector(sourceName, options);
        var lines = new Utf8LineReader(stream, options.EffectiveMaxLineBytes);
        if (format == DatasetFileFormat.Csv)
            ReadCsv(lines, collector, options);
        else
            JsonlRecordReader.Read(lines, collector, options.MaxLines);

        if (collector.Errors.Count == 0 && collector.Examples.Count == 0)
            collector.Error(null, null, "the file holds no examples");
        if (collector.Errors.Count > 0)
            throw new DatasetFormatException(collector.ErrorsInFileOrder(), mayHaveMore: collector.IsFull);
        return Dataset.Create(collector.Examples, sourceName);
    }

    /// <summary>Format from the extension; throws <see cref="DatasetFormatException"/> when it names neither.</summary>
    public static DatasetFileFormat InferFormat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".ndjson" or ".json" => DatasetFileFormat.Jsonl,
            ".csv" => DatasetFileFormat.Csv,
            _ => throw new DatasetFormatException(new DatasetError(path, null, null,
                "cannot tell the format from the extension (expected .jsonl, .ndjson, .json or .csv); pass the format explicitly")),
        };
    }

    private static void ReadCsv(Utf8LineReader lines, ExampleCollector collector, DatasetLoadOptions options)
    {
        var schema = options.Schema;
        var reader = new CsvRecordReader(lines, options.EffectiveMaxLineBytes, options.MaxLines);
        string[]? header = null;
        int idColumn = -1, textColumn = -1, desiredColumn = -1, harmfulColumn = -1;

        foreach (var record in reader.ReadRecords())
        {
            if (header is null)
            {
                if (record.Error is not null)
                {
                    collector.Error(record.StartLine, null, $"header row: {record.Error}");
                    return;
                }
                header = [.. record.Fields];
                if (!ReadHeader(record.StartLine))
                    return;
                continue;
            }

            var ordinal = collector.NextRecordOrdinal();
            if (record.Error is not null)
            {
                collector.Error(record.StartLine, SchemaField(record.ErrorColumn), record.Error);
                if (record.Fatal)
                    return;
            }
            else if (record.Fields.Count != header.Length)
            {
                collector.Error(record.StartLine, null, $"expected {header.Length} fields as in the header, got {record.Fields.Count}");
            }
            else
            {
                var f = record.Fields;
                collector.Accept(record.StartLine, ordinal, idColumn >= 0 ? f[idColumn] : null, idColumn >= 0,
                    f[textColumn], f[desiredColumn], f[harmfulColumn], readerFoundErrors: false);
            }
            if (collector.IsFull)
                return;
        }

        bool ReadHeader(long line)
        {
            idColumn = Column(schema.Id);
            textColumn = Column(schema.Text);
            desiredColumn = Column(schema.Desired);
            harmfulColumn = Column(schema.Harmful);
            var ok = true;
            foreach (var (name, column) in new[] { (schema.Text, textColumn), (schema.Desired, desiredColumn), (schema.Harmful, harmfulColumn) })
            {
                if (column >= 0)
                    continue;
                var found = string.Join(", ", header.Take(10).Select(ExampleCollector.Quote));
                collector.Error(line, name, $"missing column in the header row (found {found}{(header.Length > 10 ? ", …" : "")})");
                ok = false;
            }
            foreach (var name in new[] { schema.Id, schema.Text, schema.Desired, schema.Harmful })
            {
                if (header.Count(h => h == name) > 1)
                {
                    collector.Error(line, name, "column appears more than once in the header row");
                    ok = false;
                }
            }
            return ok;
        }

        int Column(string name) => Array.IndexOf(header, name);

        string? SchemaField(int? column) =>
            column is { } c && header is not null && c < header.Length
            && (c == idColumn || c == textColumn || c == desiredColumn || c == harmfulColumn)
                ? header[c]
                : null;
    }
}
