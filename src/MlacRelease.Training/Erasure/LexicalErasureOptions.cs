using System.Text.Json.Serialization;
using MlacRelease.Common.Errors;

namespace MlacRelease.Training.Erasure;

/// <summary>Settings of <see cref="LexicalErasure"/>.</summary>
public sealed record LexicalErasureOptions
{
    /// <summary>A token is tested only if at least this many of the defender's examples contain it.</summary>
    [JsonPropertyName("min_count")] public int MinCount { get; init; } = 5;

    /// <summary>Benjamini–Hochberg false-discovery rate of the token selection.</summary>
    [JsonPropertyName("false_discovery_rate")] public double FalseDiscoveryRate { get; init; } = 0.05;

    /// <summary>Directions to remove; null: the fewest after which a probe reads the label of held-out tokens within
    /// <see cref="Tolerance"/> of the majority class's share, at most <see cref="MaxRank"/>.</summary>
    [JsonPropertyName("rank")] public int? Rank { get; init; }

    [JsonPropertyName("max_rank")] public int MaxRank { get; init; } = 32;

    /// <summary>How far above the majority share the held-out accuracy may stay when the rank is chosen.</summary>
    [JsonPropertyName("tolerance")] public double Tolerance { get; init; } = 0.03;

    [JsonPropertyName("folds")] public int Folds { get; init; } = 5;

    /// <summary>L2 of the probes (on rows scaled to unit mean-square spread).</summary>
    [JsonPropertyName("l2")] public double L2 { get; init; } = 1e-2;

    [JsonPropertyName("scope")] public ErasureScope Scope { get; init; } = ErasureScope.Associated;

    /// <summary>Seeds the cross-validation folds; nothing else is random.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; init; }

    public LexicalErasureOptions Validate()
    {
        if (MinCount < 1) throw new MlacInputException($"the minimum token count must be at least 1, got {MinCount}");
        if (!(FalseDiscoveryRate > 0 && FalseDiscoveryRate < 1)) throw new MlacInputException($"the false-discovery rate must lie in (0, 1), got {FalseDiscoveryRate}");
        if (MaxRank < 1 || MaxRank > 4096) throw new MlacInputException($"the largest rank must lie in 1..4096, got {MaxRank}");
        if (Rank is { } r && (r < 1 || r > MaxRank)) throw new MlacInputException($"the rank must lie in 1..{MaxRank} (the largest rank), got {r}");
        if (!(Tolerance >= 0 && Tolerance < 1)) throw new MlacInputException($"the tolerance must lie in [0, 1), got {Tolerance}");
        if (Folds < 2 || Folds > 20) throw new MlacInputException($"the folds must lie in 2..20, got {Folds}");
        if (!(L2 > 0) || !double.IsFinite(L2)) throw new MlacInputException($"the probes' L2 must be positive and finite, got {L2}");
        return this;
    }
}
