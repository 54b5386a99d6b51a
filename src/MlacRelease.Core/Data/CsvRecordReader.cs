using System.Text;

namespace MlacRelease.Core.Data;

/// <summary>
/// RFC 4180 record splitter: comma separators, double-quoted fields that may hold commas, doubled quotes and
/// line breaks. Works on physical lines so that every record knows the line it starts on.
/// </summary>
/// <remarks>
/// A line break inside a quoted field becomes "\n" whatever the file used (CRLF or LF), so a file saved with
/// Windows line endings yields the same texts, and the same digest, as one saved with Unix endings.
/// Malformed quoting is reported but parsing carries on literally to the end of the record, which keeps the
/// reader in step with the file for the records that follow.
/// </remarks>
internal sealed class CsvRecordReader
{
    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    private readonly Utf8LineReader _lines;
    private readonly int _maxRecordChars;
    private readonly long _maxLines;

    public CsvRecordReader(Utf8LineReader lines, int maxRecordChars, long maxLines)
    {
        _lines = lines;
        _maxRecordChars = maxRecordChars;
        _maxLines = maxLines;
    }

    /// <summary>Yields records in file order; blank lines between records are skipped.</summary>
    public IEnumerable<CsvRecord> ReadRecords()
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var state = State.FieldStart;
        var inRecord = false;
        long startLine = 0;
        string? error = null;
        int? errorColumn = null;
        var recordChars = 0L;

        while (_lines.TryRead(out var line))
        {
            if (line.Number > _maxLines)
            {
                yield return new CsvRecord(line.Number, [], $"the file has more than {_maxLines} lines, the configured limit", ErrorColumn: null, Fatal: true);
                yield break;
            }
            if (line.Status != PhysicalLineStatus.Ok)
            {
                // The quoting state after an unreadable line is unknown; drop any open record and resynchronise
                // at the next line, which is right for every file whose bad line is not inside a quoted field.
                yield return new CsvRecord(line.Number, [], line.Status == PhysicalLineStatus.TooLong
                    ? "line is longer than the configured limit of bytes"
                    : "line is not valid UTF-8 (dataset files must be UTF-8 encoded)");
                Reset();
                continue;
            }

            var text = line.Text!;
            if (!inRecord)
            {
                if (string.IsNullOrWhiteSpace(text))
                    continue;
                inRecord = true;
                startLine = line.Number;
            }

            foreach (var c in text)
            {
                switch (state)
                {
                    case State.FieldStart:
                        if (c == '"')
                            state = State.Quoted;
                        else if (c == ',')
                            EndField();
                        else
                        {
                            Append(c);
                            state = State.Unquoted;
                        }
                        break;
                    case State.Unquoted:
                        if (c == ',')
                        {
                            EndField();
                            state = State.FieldStart;
                        }
                        else
                        {
                            if (c == '"')
                                Fail("a quote inside an unquoted field (quote the whole field and double the quote)");
                            Append(c);
                        }
                        break;
                    case State.Quoted:
                        if (c == '"')
                            state = State.QuoteInQuoted;
                        else
                            Append(c);
                        break;
                    case State.QuoteInQuoted:
                        if (c == '"')
                        {
                            Append('"');
                            state = State.Quoted;
                        }
                        else if (c == ',')
                        {
                            EndField();
                            state = State.FieldStart;
                        }
                        else
                        {
                            Fail("unexpected character after a closing quote");
                            Append(c);
                            state = State.Unquoted;
                        }
                        break;
                }
            }

            if (state == State.Quoted)
            {
                Append('\n');
                continue;
            }

            EndField();
            yield return Finish();
        }

        if (inRecord)
        {
            Fail($"unterminated quoted field (a quote opened on or after line {startLine} is never closed)");
            EndField();
            yield return Finish();
        }

        void Fail(string message)
        {
            if (error is not null)
                return;
            error = message;
            errorColumn = fields.Count;
        }

        void Append(char c)
        {
            // Past the bound, characters are counted but not stored, so memory stays bounded and the state
            // machine still finds where the record ends.
            if (++recordChars <= _maxRecordChars)
                field.Append(c);
        }

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            state = State.FieldStart;
        }

        CsvRecord Finish()
        {
            if (recordChars > _maxRecordChars)
                error ??= $"record is longer than the configured limit of {_maxRecordChars} characters";
            var record = new CsvRecord(startLine, error is null ? fields.ToArray() : [], error, errorColumn);
            Reset();
            return record;
        }

        void Reset()
        {
            fields.Clear();
            field.Clear();
            state = State.FieldStart;
            inRecord = false;
            error = null;
            errorColumn = null;
            recordChars = 0;
        }
    }
}
