using System.Text.Json;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Text;

/// <summary>
/// System.Text.Json checks a document's structure when it parses it, but decodes strings and field names only when
/// they are read: invalid UTF-8 inside a string, or an escaped unpaired surrogate ("\ud800"), then throws
/// InvalidOperationException from deep inside a reader (found by fuzzing every JSON loader). Loaders call this first,
/// so those inputs fail as the typed error, naming the file and the byte.
/// </summary>
public static class JsonText
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when the bytes are not UTF-8 or a
    /// string or field name does not decode to text. Structural errors are left to the loader's own parse.</summary>
    public static void RequireDecodable(ReadOnlySpan<byte> utf8, string source)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8)) throw new MlacInputException($"{source}: not valid UTF-8 text");
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw new MlacInputException(
                        $"{source}: the {(reader.TokenType == JsonTokenType.PropertyName ? "field name" : "string")} at byte {reader.TokenStartIndex} is not text (an escaped unpaired surrogate)");
                }
            }
        }
        catch (JsonException)
        {
            // Not a JSON document: the loader's parse reports that with its own message.
        }
    }

    /// <inheritdoc cref="RequireDecodable(ReadOnlySpan{byte}, string)"/>
    public static void RequireDecodable(string json, string source) => RequireDecodable(System.Text.Encoding.UTF8.GetBytes(json), source);
}
