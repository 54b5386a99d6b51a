using System.Text.Json;

namespace MlacRelease.Core.Data;

/// <summary>Reads JSON Lines: one object per non-blank line; keys other than the schema's are ignored.</summary>
internal static class JsonlRecordReader
{
    public static void Read(Utf8LineReader reader, ExampleCollector collector, long maxLines)
    {
        while (!collector.IsFull && reader.TryRead(out var line))
        {
            if (line.Number > maxLines)
            {
                collector.Error(line.Number, null, $"the file has more than {maxLines} lines, the configured limit");
                return;
            }
            switch (line.Status)
            {
                case PhysicalLineStatus.TooLong:
                    collector.NextRecordOrdinal();
                    collector.Error(line.Number, null, "line is longer than the configured limit of bytes");
                    continue;
                case PhysicalLineStatus.InvalidUtf8:
                    collector.NextRecordOrdinal();
                    collector.Error(line.Number, null, "line is not valid UTF-8 (dataset files must be UTF-8 encoded)");
                    continue;
            }

            // Blank lines (a trailing newline, spacing between records) are formatting, not content.
            if (string.IsNullOrWhiteSpace(line.Text))
                continue;
            ReadRecord(line.Number, line.Text!, collector);
        }
    }

    private static void ReadRecord(long lineNumber, string text, ExampleCollector collector)
    {
        var ordinal = collector.NextRecordOrdinal();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            collector.Error(lineNumber, null, $"malformed JSON at byte {ex.BytePositionInLine + 1}: {WithoutLocation(ex.Message)}");
            return;
        }

        using (document)
        {
            try
            {
                ReadFields(document.RootElement, lineNumber, ordinal, collector);
            }
            catch (InvalidOperationException)
            {
                // A field name with an escaped unpaired surrogate: valid JSON, not text (found by fuzzing).
                collector.Error(lineNumber, null, "a field name is not valid text (an escaped unpaired surrogate such as \\ud800)");
            }
        }
    }

    private static void ReadFields(JsonElement root, long lineNumber, long ordinal, ExampleCollector collector)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            collector.Error(lineNumber, null, $"expected a JSON object, got {KindName(root.ValueKind)}");
            return;
        }

        var schema = collector.Schema;
        JsonElement? id = null, body = null, desired = null, harmful = null;
        var errors = false;
        foreach (var property in root.EnumerateObject())
        {
            // A repeated key is ambiguous (parsers disagree on which value wins), so it is an error, not a guess.
            if (property.NameEquals(schema.Id)) Take(ref id, schema.Id);
            else if (property.NameEquals(schema.Text)) Take(ref body, schema.Text);
            else if (property.NameEquals(schema.Desired)) Take(ref desired, schema.Desired);
            else if (property.NameEquals(schema.Harmful)) Take(ref harmful, schema.Harmful);

            void Take(ref JsonElement? slot, string field)
            {
                if (slot is null)
                {
                    slot = property.Value;
                    return;
                }
                collector.Error(lineNumber, field, "field appears more than once");
                errors = true;
            }
        }

        var idValue = id is { } idElement ? IdString(idElement, lineNumber, schema.Id, collector, ref errors) : null;
        var textValue = RequiredString(body, lineNumber, schema.Text, collector, ref errors);
        var desiredValue = RequiredString(desired, lineNumber, schema.Desired, collector, ref errors);
        var harmfulValue = RequiredString(harmful, lineNumber, schema.Harmful, collector, ref errors);
        collector.Accept(lineNumber, ordinal, idValue, id is not null, textValue, desiredValue, harmfulValue, errors);
    }

    private static string? RequiredString(JsonElement? element, long line, string field, ExampleCollector collector, ref bool errors)
    {
        if (element is not { } value)
        {
            collector.Error(line, field, "missing");
            errors = true;
            return null;
        }
        if (value.ValueKind == JsonValueKind.String)
            return StringValue(value, line, field, collector, ref errors);
        collector.Error(line, field, $"expected a non-empty string, got {KindName(value.ValueKind)}");
        errors = true;
        return null;
    }

    /// <summary>The string, or an error for one that is no text: an escaped lone surrogate (\ud800) is valid JSON but not UTF-16
    /// (found by fuzzing: GetString threw InvalidOperationException, which escaped the loader).</summary>
    private static string? StringValue(JsonElement value, long line, string field, ExampleCollector collector, ref bool errors)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            collector.Error(line, field, "not valid text: an escaped unpaired surrogate (such as \\ud800)");
            errors = true;
            return null;
        }
    }

    /// <summary>Ids may also be integers, as many exported datasets number their rows; the digits become the id.</summary>
    private static string? IdString(JsonElement value, long line, string field, ExampleCollector collector, ref bool errors)
    {
        if (value.ValueKind == JsonValueKind.String)
            return StringValue(value, line, field, collector, ref errors);
        if (value.ValueKind == JsonValueKind.Number)
        {
            var raw = value.GetRawText();
            var digits = raw.StartsWith('-') ? raw.AsSpan(1) : raw.AsSpan();
            if (!digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9'))
                return raw;
        }
        collector.Error(line, field, $"expected a non-empty string or an integer, got {KindName(value.ValueKind)}");
        errors = true;
        return null;
    }

    internal static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>System.Text.Json appends "LineNumber: 0 | BytePositionInLine: n." about the one-line document,
    /// which would contradict the file line number we report.</summary>
    private static string WithoutLocation(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }
}
