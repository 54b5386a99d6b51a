namespace MlacRelease.Benchmarks.Export;

/// <summary>Wall-clock times of repeated runs of one model on one input, in milliseconds.</summary>
public sealed class LatencySample(string model)
{
    private readonly List<double> _milliseconds = [];

    public string Model { get; } = model;

    public int Count => _milliseconds.Count;

    public void Add(double milliseconds) => _milliseconds.Add(milliseconds);

    public double Median => Percentile(50);

    /// <summary>Nearest-rank percentile of the sorted times.</summary>
    public double Percentile(double p)
    {
        if (_milliseconds.Count == 0) return double.NaN;
        var sorted = _milliseconds.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
