namespace MlacRelease.Certification.Metrics;

/// <summary>Mean and spread of one number over the seed reruns (sample standard deviation; 0 for a single seed).</summary>
public sealed record SeedStatistics(int Count, double Mean, double StandardDeviation, double Min, double Max)
{
    public static SeedStatistics Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var mean = values.Average();
        var sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new SeedStatistics(values.Count, mean, sd, values.Min(), values.Max());
    }
}
