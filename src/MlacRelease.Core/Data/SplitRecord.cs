using System.Globalization;
using System.Text.Json;
using MlacRelease.Common.IO;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Data;

/// <summary>
/// The split a model was trained with, written beside the model (split.json) so that a later certification splits
/// the data the same way: with another seed, examples the defender trained on could land in the attacker's test
/// split and nothing would notice. Holds the split seed, the fractions and the digest of the dataset split.
/// </summary>
public sealed record SplitRecord(ulong Seed, SplitFractions Fractions, string DatasetDigest)
{
    public const string FileName = "split.json";
    public const string CurrentSchema = "mlac.split/v1";

    /// <summary>A split record is a few hundred bytes; anything much larger is not one, and is refused unread.</summary>
    public const int MaxBytes = 64 * 1024;

    public static SplitRecord Of(DatasetSplits splits) => new(splits.Seed, splits.Fractions, splits.Source.Digest);

    /// <summary>Writes <see cref="FileName"/> into <paramref name="modelFolder"/> atomically.</summary>
    public void Write(string modelFolder)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("schema", CurrentSchema);
            // As a string: a 64-bit seed does not survive readers that hold JSON numbers as doubles.
            json.WriteString("seed", Seed.ToString(CultureInfo.InvariantCulture));
            json.WriteStartObject("fractions");
            json.WriteNumber("defender_train", Fractions.DefenderTrain);
            json.WriteNumber("attacker_train", Fractions.AttackerTrain);
            json.WriteNumber("attacker_tune", Fractions.AttackerTune);
            json.WriteNumber("test", Fractions.Test);
            json.WriteEndObject();
            json.WriteString("dataset_digest", DatasetDigest);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        AtomicFile.WriteAllBytes(Path.Combine(modelFolder, FileName), buffer.ToArray());
    }

    /// <summary>The record in <paramref name="modelFolder"/>, or null when there is none (a model not trained here).</summary>
    public static SplitRecord? TryRead(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        if (!File.Exists(path)) return null;
        var length = new FileInfo(path).Length;
        if (length > MaxBytes) throw new MlacInputException($"{path}: {length} bytes; a split record is at most {MaxBytes}");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Strict: every field present, of its type and in range, nothing unknown; errors name the file and field.</summary>
    public static SplitRecord Parse(ReadOnlySpan<byte> bytes, string source)
    {
        Common.Text.JsonText.RequireDecodable(bytes, source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{source}: not JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = Object(document.RootElement, source, "(root)", ["schema", "seed", "fractions", "dataset_digest"]);
            var schema = Text(root, source, "schema");
            if (schema != CurrentSchema) throw new MlacInputException($"{source}: field 'schema': expected '{CurrentSchema}', found '{schema}'");
            var seedText = Text(root, source, "seed");
            if (!ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                throw new MlacInputException($"{source}: field 'seed': expected a decimal unsigned 64-bit integer, found '{seedText}'");
            var f = Object(root.GetProperty("fractions"), source, "fractions", ["defender_train", "attacker_train", "attacker_tune", "test"]);
            SplitFractions fractions;
            try
            {
                fractions = new SplitFractions(Number(f, source, "fractions.defender_train"), Number(f, source, "fractions.attacker_train"),
                    Number(f, source, "fractions.attacker_tune"), Number(f, source, "fractions.test"));
            }
            catch (ArgumentException e)
            {
                throw new MlacInputException($"{source}: field 'fractions': {e.Message}", e);
            }
            var digest = Text(root, source, "dataset_digest");
            if (!IsSha256(digest))
                throw new MlacInputException($"{source}: field 'dataset_digest': expected 'sha256:' and 64 lower-case hex digits, found '{digest}'");
            return new SplitRecord(seed, fractions, digest);
        }
    }

    /// <summary>"seed 3, fractions 0.85/0.025/0.025/0.1": how messages name a split.</summary>
    public static string Describe(ulong seed, SplitFractions fractions) => string.Create(CultureInfo.InvariantCulture,
        $"seed {seed}, fractions {fractions.DefenderTrain:R}/{fractions.AttackerTrain:R}/{fractions.AttackerTune:R}/{fractions.Test:R}");

    private static bool IsSha256(string digest) =>
        digest.Length == 71 && digest.StartsWith("sha256:", StringComparison.Ordinal) && digest[7..].All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static JsonElement Object(JsonElement element, string source, string name, string[] fields)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new MlacInputException($"{source}: field '{name}': expected an object, found {element.ValueKind}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!fields.Contains(property.Name)) throw new MlacInputException($"{source}: unknown field '{property.Name}' in '{name}' (expected {string.Join(", ", fields)})");
            if (!seen.Add(property.Name)) throw new MlacInputException($"{source}: field '{property.Name}' appears twice in '{name}'");
        }
        foreach (var field in fields)
            if (!seen.Contains(field)) throw new MlacInputException($"{source}: field '{field}' is missing in '{name}'");
        return element;
    }

    private static string Text(JsonElement parent, string source, string field)
    {
        var value = parent.GetProperty(field);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new MlacInputException($"{source}: field '{field}': expected a string, found {value.ValueKind}");
    }

    private static double Number(JsonElement parent, string source, string path)
    {
        var value = parent.GetProperty(path[(path.LastIndexOf('.') + 1)..]);
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number)
            ? number
            : throw new MlacInputException($"{source}: field '{path}': expected a number, found {value.ValueKind}");
    }
}
