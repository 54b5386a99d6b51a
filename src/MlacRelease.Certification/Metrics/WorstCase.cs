namespace MlacRelease.Certification.Metrics;

/// <summary>The worst case over the battery: per data size, and over all sizes (lowest blocking score, largest model
/// accuracy above random init, highest model accuracy).</summary>
public sealed record WorstCase(
    IReadOnlyList<WorstCaseAtSize> BySize,
    double? MinBlockingScore,
    string? MinBlockingWhere,
    double MaxExcessOverRandom,
    string MaxExcessWhere,
    double MaxModelAccuracy,
    string MaxModelAccuracyWhere);
