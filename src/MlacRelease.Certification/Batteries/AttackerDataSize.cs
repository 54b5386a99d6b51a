using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlacRelease.Certification.Batteries;

/// <summary>An attacker data size n: a count, or "all" of the attacker's training split.</summary>
[JsonConverter(typeof(AttackerDataSizeJsonConverter))]
public sealed record AttackerDataSize(int? Count)
{
    public static AttackerDataSize All { get; } = new((int?)null);

    [JsonIgnore]
    public bool IsAll => Count is null;

    /// <summary>"20", "all".</summary>
    public string Label => Count?.ToString(CultureInfo.InvariantCulture) ?? "all";

    /// <summary>The number of examples this size means for a split of <paramref name="available"/>.</summary>
    public int Resolve(int available) => Count ?? available;

    public override string ToString() => Label;
}

internal sealed class AttackerDataSizeJsonConverter : JsonConverter<AttackerDataSize>
{
    public override AttackerDataSize Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt32(out var n) && n >= 1 => new AttackerDataSize(n),
        JsonTokenType.String when reader.GetString() == "all" => AttackerDataSize.All,
        _ => throw new JsonException("an attacker data size is a positive integer or \"all\""),
    };

    public override void Write(Utf8JsonWriter writer, AttackerDataSize value, JsonSerializerOptions options)
    {
        if (value.Count is { } n) writer.WriteNumberValue(n);
        else writer.WriteStringValue("all");
    }
}
