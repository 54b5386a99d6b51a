namespace MlacRelease.Export.Validation;

/// <summary>The outcome of comparing an exported model with the TorchSharp encoder over several batches.</summary>
public sealed record ParityReport(IReadOnlyList<ParityCase> Cases, IReadOnlyList<string> OutputNames, double Tolerance)
{
    /// <summary>Largest |Δ| over every case and output (NaN compares as infinitely bad).</summary>
    public double MaxAbsDiff => Cases.Count == 0 ? 0 : Cases.Max(c => c.Worst);

    public bool Passed => Cases.Count > 0 && MaxAbsDiff <= Tolerance;

    public double MaxAbsDiffOf(string output) => Cases.Select(c => c.MaxAbsDiff.GetValueOrDefault(output)).Select(v => double.IsNaN(v) ? double.PositiveInfinity : v).DefaultIfEmpty(0).Max();

    public string Summary() =>
        $"{Cases.Count} batches, outputs {string.Join(", ", OutputNames)}: max |Δ| = {MaxAbsDiff:E3} "
        + $"({string.Join(", ", OutputNames.Select(o => $"{o} {MaxAbsDiffOf(o):E3}"))}), tolerance {Tolerance:E1}: {(Passed ? "passed" : "FAILED")}";
}
