using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Batteries;

/// <summary>LoRA's search space: rank, α and the adapted projections.</summary>
public sealed record LoraSpace(IReadOnlyList<int> Ranks, IReadOnlyList<double> Alphas, IReadOnlyList<LoraTarget> Targets);
