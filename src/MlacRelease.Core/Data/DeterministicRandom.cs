using System.Text;

namespace MlacRelease.Core.Data;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose whole sequence is fixed by its seed.
/// </summary>
/// <remarks>
/// System.Random is not used because the sequence a seeded instance produces is not a cross-version contract
/// (.NET changed its algorithm before and may again); splits and the built-in corpus must be reproducible
/// from a seed recorded in a certificate, on any runtime. SplitMix64 passes BigCrush, needs one 64-bit word
/// of state and is trivially re-implemented in another language to check a result.
/// </remarks>
public sealed class DeterministicRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    public ulong NextUInt64() => Mix(_state += Golden);

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        var range = (ulong)maxExclusive;
        var threshold = (0UL - range) % range; // 2^64 mod range: the low products that would over-represent some values
        while (true)
        {
            var product = (UInt128)NextUInt64() * range;
            if ((ulong)product >= threshold)
                return (int)(product >> 64);
        }
    }

    /// <summary>Uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(minInclusive, maxExclusive);
        return minInclusive + NextInt(checked(maxExclusive - minInclusive));
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[NextInt(items.Count)];
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// An independent seed for stream <paramref name="stream"/> of <paramref name="seed"/>, so that e.g.
    /// example i of a corpus does not depend on how many examples came before it.
    /// </summary>
    public static ulong DeriveSeed(ulong seed, ulong stream) => Mix(Mix(seed + Golden) ^ (stream * Golden + 0x632BE59BD9B4E019UL));

    /// <summary>An independent seed for a named purpose (e.g. a stratum key), hashed with FNV-1a over UTF-8.</summary>
    public static ulong DeriveSeed(ulong seed, string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(purpose))
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return DeriveSeed(seed, hash);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
