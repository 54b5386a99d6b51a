using System.Text.Encodings.Web;
using System.Text.Json;
using MlacRelease.Common.IO;

namespace MlacRelease.Core.Data;

/// <summary>Writes examples as JSON Lines that <see cref="DatasetLoader"/> reads back unchanged.</summary>
public static class JsonlWriter
{
    // Relaxed escaping keeps non-ASCII names and punctuation readable in the file; the output is never
    // embedded in HTML, which is what the default encoder guards against.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes atomically (see <see cref="AtomicFile"/>); returns the number of examples written.</summary>
    public static int Write(string path, IEnumerable<Example> examples, DatasetSchema? schema = null)
    {
        var count = 0;
        AtomicFile.Write(path, stream => count = Write(stream, examples, schema));
        return count;
    }

    /// <summary>Writes one object per line (id, text, desired, harmful under the schema's names), LF-terminated.</summary>
    public static int Write(Stream stream, IEnumerable<Example> examples, DatasetSchema? schema = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(examples);
        schema ??= DatasetSchema.Default;
        schema.Validate();
        var count = 0;
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        foreach (var example in examples)
        {
            writer.WriteStartObject();
            writer.WriteString(schema.Id, example.Id);
            writer.WriteString(schema.Text, example.Text);
            writer.WriteString(schema.Desired, example.DesiredLabel);
            writer.WriteString(schema.Harmful, example.HarmfulLabel);
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            // Reset lets the same writer start a new top-level value on the next line.
            writer.Reset();
            count++;
        }
        return count;
    }
}
