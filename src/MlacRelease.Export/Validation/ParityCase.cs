namespace MlacRelease.Export.Validation;

/// <summary>One batch that both runtimes computed, and the largest |Δ| per output.</summary>
public sealed record ParityCase(string Description, int BatchSize, int SequenceLength, IReadOnlyDictionary<string, double> MaxAbsDiff)
{
    /// <summary>The largest difference over the outputs; NaN counts as infinitely bad (Enumerable.Max would skip it).</summary>
    public double Worst => MaxAbsDiff.Count == 0 ? 0 : MaxAbsDiff.Values.Select(v => double.IsNaN(v) ? double.PositiveInfinity : v).Max();
}
