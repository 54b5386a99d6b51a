using System.Globalization;

namespace MlacRelease.Certification.Scheduling;

/// <summary>Slurm's array index syntax: the shard numbers 1,2,3,5,7,8 as "1-3,5,7-8".</summary>
public static class ArrayRanges
{
    public static string Format(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        if (sorted.Count == 0) throw new ArgumentException("an array needs at least one index", nameof(indices));
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? Text(sorted[i]) : $"{Text(sorted[i])}-{Text(sorted[j])}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
