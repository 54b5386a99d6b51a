namespace MlacRelease.Export.Validation;

/// <summary>The outcome of comparing an exported model with the TorchSharp encoder over several batches.</summary>
public sealed record ParityReport(IReadOnlyList<ParityCase> Cases, IReadOnlyList<string> OutputNames, double Tolerance)
{
    /// <summary>Largest |Δ| over every case and output (NaN compares as infinitely bad).</summary>
    public double MaxAbsDiff => Cases.Count == 0 ? 0 : Cases.Max(c => c.Worst);

    public bool Passed => Cases.Count > 0 && Cases.All(c => c.Within(Tolerance));

    public double MaxAbsDiffOf(string output) => Cases.Select(c => c.MaxAbsDiff.GetValueOrDefault(output)).Select(v => double.IsNaN(v) ? double.PositiveInfinity : v).DefaultIfEmpty(0).Max();

    public string Summary() =>
        $"{Cases.Count} batches, outputs {string.Join(", ", OutputNames)}: max |Δ| = {MaxAbsDiff:E3} "
        + $"({string.Join(", ", OutputNames.Select(o => $"{o} {MaxAbsDiffOf(o):E3}"))}), tolerance {Tolerance:E1}"
        + (HasNoiseAllowance
            ? $" or {ParityOptions.Int8NoiseFactor}× the int8 reference's own fp32-vs-fp64 noise in max and mean |Δ| (noise up to {string.Join(", ", OutputNames.Select(o => $"{o} {NoiseOf(o):E3}"))}; mean |Δ| up to {string.Join(", ", OutputNames.Select(o => $"{o} {MeanAbsDiffOf(o):E3}"))})"
            : "")
        + $": {(Passed ? "passed" : "FAILED")}";

    /// <summary>The largest mean |Δ| of <paramref name="output"/> over the cases.</summary>
    public double MeanAbsDiffOf(string output) => Cases.Select(c => c.MeanAbsDiff?.GetValueOrDefault(output) ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>True when the cases carry an int8 reference's own noise, and with it the allowance <see cref="ParityCase.Within"/> gives.</summary>
    public bool HasNoiseAllowance => Cases.Any(c => c.ReferenceNoise is not null);

    /// <summary>" or 3× the int8 reference's own fp32-vs-fp64 noise, which reached …" for an int8 graph, for one-line
    /// reports (export, gate); "" otherwise.</summary>
    public string NoiseAllowance => HasNoiseAllowance
        ? $" or {ParityOptions.Int8NoiseFactor}× the int8 reference's own fp32-vs-fp64 noise, which reached {OutputNames.Max(NoiseOf):E2}" : "";

    /// <summary>The largest fp32-vs-fp64 noise of the int8 reference on <paramref name="output"/> over the cases (0 for fp32 graphs).</summary>
    public double NoiseOf(string output) => Cases.Select(c => c.ReferenceNoise?.GetValueOrDefault(output).Max ?? 0).DefaultIfEmpty(0).Max();
}
