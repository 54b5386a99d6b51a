namespace MlacRelease.Export.Validation;

/// <summary>One batch that both runtimes computed, and the largest |Δ| per output.</summary>
public sealed record ParityCase(string Description, int BatchSize, int SequenceLength, IReadOnlyDictionary<string, double> MaxAbsDiff)
{
    public double Worst => MaxAbsDiff.Count == 0 ? 0 : MaxAbsDiff.Values.Max();
}
