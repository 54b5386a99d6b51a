using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Search;

/// <summary>A rerun of the best configuration with one of the battery's seeds (which also draws the n examples).</summary>
public sealed record SeedRun(ulong Seed, AttackRunResult Result);
