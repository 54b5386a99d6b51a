namespace MlacRelease.Export.Validation;

/// <summary>One batch that both runtimes computed, and the largest |Δ| per output.</summary>
public sealed record ParityCase(string Description, int BatchSize, int SequenceLength, IReadOnlyDictionary<string, double> MaxAbsDiff)
{
    /// <summary>The largest difference over the outputs; NaN counts as infinitely bad (Enumerable.Max would skip it).</summary>
    public double Worst => MaxAbsDiff.Count == 0 ? 0 : MaxAbsDiff.Values.Select(v => double.IsNaN(v) ? double.PositiveInfinity : v).Max();

    /// <summary>Per output, the mean |Δ| over its elements.</summary>
    public IReadOnlyDictionary<string, double>? MeanAbsDiff { get; init; }

    /// <summary>Int8 graphs only: per output, the reference computed in fp32 against the same reference in fp64, largest
    /// and mean |Δ|: the summation-order noise that dynamic activation quantization amplifies on this batch; null for
    /// fp32 graphs.</summary>
    public IReadOnlyDictionary<string, (double Max, double Mean)>? ReferenceNoise { get; init; }

    /// <summary>Every output within the tolerance; an int8 case's output may instead be within its reference's own noise:
    /// largest |Δ| ≤ <see cref="ParityOptions.Int8NoiseFactor"/> × the noise's largest, and mean |Δ| ≤ that factor × the
    /// noise's mean (flips are rare, so a changed computation shows in the mean where a flip does not). NaN never passes.</summary>
    public bool Within(double tolerance) => MaxAbsDiff.All(d =>
        !double.IsNaN(d.Value) && (d.Value <= tolerance || WithinNoise(d.Key, d.Value)));

    /// <summary>The first output outside what <see cref="Within"/> allows, described with its figures; null when none is.</summary>
    public string? Failure(double tolerance)
    {
        foreach (var (output, max) in MaxAbsDiff)
        {
            if (!double.IsNaN(max) && (max <= tolerance || WithinNoise(output, max))) continue;
            var mean = MeanAbsDiff?.GetValueOrDefault(output, double.NaN) ?? double.NaN;
            var noise = ReferenceNoise?.TryGetValue(output, out var n) == true
                ? $"; the reference's own fp32-vs-fp64 noise max {n.Max:E3}, mean {n.Mean:E3}, allows {ParityOptions.Int8NoiseFactor}× each" : "";
            return $"output '{output}' differs by up to {max:E3}, mean {mean:E3} (tolerance {tolerance:E1}{noise}) on {Description}";
        }
        return null;
    }

    private bool WithinNoise(string output, double max) =>
        ReferenceNoise is { } noise && noise.TryGetValue(output, out var n) && MeanAbsDiff?.GetValueOrDefault(output, double.NaN) is { } mean
        && max <= ParityOptions.Int8NoiseFactor * n.Max && mean <= ParityOptions.Int8NoiseFactor * n.Mean;
}
