using System.Text.Json.Serialization;
using MlacRelease.Certification.Search;

namespace MlacRelease.Certification.Execution;

/// <summary>A finished unit as written under units/: the attack result or the retention result.</summary>
public sealed record StoredUnit(string Identity, string Unit, AttackUnitResult? Attack, RetentionResult? Retention)
{
    /// <summary>The baseline cache key the result was read from; null when it was computed here. Left out of the
    /// JSON when null, so folders written before the cache existed still resume.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BaselineCacheKey { get; init; }
}
