using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Certificates;

/// <summary>One reference arm's provenance.</summary>
/// <param name="CacheKey">The digest of <see cref="BaselineKeyInputs"/> for this arm: the cache entry its results are stored under.</param>
/// <param name="Source">"computed", "baseline_cache" or "partly_cached".</param>
public sealed record BaselineArm(TargetRole Target, string CacheKey, string Source, int UnitsFromCache, int UnitsComputed)
{
    public const string Computed = "computed";
    public const string FromCache = "baseline_cache";
    public const string PartlyCached = "partly_cached";

    public static string SourceOf(int fromCache, int computed) => (fromCache, computed) switch
    {
        (0, _) => Computed,
        (_, 0) => FromCache,
        _ => PartlyCached,
    };
}
