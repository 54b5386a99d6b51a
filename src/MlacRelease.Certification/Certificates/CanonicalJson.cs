using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Certificates;

/// <summary>
/// The one JSON form certificates, batteries and results are written in, so that equal content gives equal bytes:
/// snake_case names in declaration order, enums as snake_case strings, nulls written, two-space indentation, "\n"
/// line ends, numbers in .NET's shortest round-trip form, no dictionaries (their order would be an accident). Reading
/// is strict: unknown members, missing required members and nulls in non-nullable places are errors.
/// </summary>
public static class CanonicalJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static string SerializeToString<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new MlacInputException($"{source}: the document is null");
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>"sha256:" + hex SHA-256 of the canonical bytes.</summary>
    public static string Digest<T>(T value) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Serialize(value)));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,
            IndentSize = 2,
            NewLine = "\n",
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            NumberHandling = JsonNumberHandling.Strict,
            MaxDepth = 64,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
