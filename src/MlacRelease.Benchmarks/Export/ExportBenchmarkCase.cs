namespace MlacRelease.Benchmarks.Export;

/// <summary>One input shape, measured on both models, with how many timed runs it gets.</summary>
public sealed record ExportBenchmarkCase(int BatchSize, int SequenceLength, int Iterations)
{
    public int Tokens => BatchSize * SequenceLength;

    public override string ToString() => $"{BatchSize} × {SequenceLength}";
}
