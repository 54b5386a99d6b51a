using System.Globalization;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Execution;

/// <summary>"Shard i of N" (1-based, as a person says it; a 0-based scheduler index k is shard k+1).</summary>
public sealed record ShardSpec
{
    public ShardSpec(int number, int count)
    {
        if (count < 1 || number < 1 || number > count)
            throw new MlacInputException($"a shard is i/N with 1 ≤ i ≤ N, got {number}/{count}");
        Number = number;
        Count = count;
    }

    public int Number { get; }

    public int Count { get; }

    public static ShardSpec Whole { get; } = new(1, 1);

    /// <summary>Parses "i/N"; anything else is an <see cref="MlacInputException"/>.</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new MlacInputException($"expected a shard as i/N (e.g. 2/8), got '{text}'");
        return new ShardSpec(i, n);
    }

    public override string ToString() => $"{Number}/{Count}";
}
