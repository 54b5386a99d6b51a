namespace MlacRelease.Certification.Certificates;

/// <summary>
/// Where the numbers were computed. Results are bit-reproducible for the same device type and intra-op thread count
/// (each run is a deterministic function of its seed), so these are part of a certification's identity: shards
/// computed differently cannot be merged into one certificate.
/// </summary>
public sealed record NumericsDescription(string Device, int IntraOpThreads);
