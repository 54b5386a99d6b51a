namespace MlacRelease.Core.Data;

/// <summary>Settings of the built-in Bias-in-Bios-style corpus.</summary>
public sealed record BiosCorpusOptions
{
    /// <summary>Number of biographies.</summary>
    public int Count { get; init; } = 10_000;

    public ulong Seed { get; init; }

    /// <summary>
    /// Write they/their/them instead of he/she/his/her/him, as the paper did, so the first name is the only
    /// gender signal left in the text.
    /// </summary>
    public bool NeutralisePronouns { get; init; } = true;

    /// <summary>
    /// Per-profession gender skew in [-1, 1]: the female share of that profession is (1 + skew) / 2. Missing
    /// professions get 0 (independent). Non-zero skews make the desired label predict the harmful one, which
    /// is useful for studying leakage but not the default.
    /// </summary>
    public IReadOnlyDictionary<string, double>? GenderSkew { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for a negative count, an unknown profession or a skew out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Count, nameof(Count));
        if (GenderSkew is null)
            return;
        foreach (var (profession, skew) in GenderSkew)
        {
            if (!BiosCorpusGenerator.Professions.Contains(profession))
                throw new ArgumentException($"Unknown profession '{profession}' in {nameof(GenderSkew)}.", nameof(GenderSkew));
            if (!(skew >= -1 && skew <= 1))
                throw new ArgumentOutOfRangeException(nameof(GenderSkew), skew, $"The skew of '{profession}' must lie in [-1, 1].");
        }
    }
}
