namespace MlacRelease.Certification.Costing;

/// <summary>What a cost sample measured: each sampled run's CPU and wall seconds beside the cost model's token passes
/// for it, one evaluation pass over the test split, and one retention unit. CPU seconds are the process's (user +
/// system) over the run, at the request's threads per worker.</summary>
public sealed record CostSample(
    string Battery,
    string Identity,
    int ThreadsPerWorker,
    double MeanTokens,
    IReadOnlyList<SampledRun> Runs,
    MeasuredEvaluation Evaluation,
    MeasuredRetention Retention)
{
    /// <summary>The encoder's dense-layer flops per token pass (<see cref="GemmRate.FlopsPerTokenPass"/>).</summary>
    public double FlopsPerTokenPass { get; init; }

    /// <summary>A plain matrix product of the encoder's shape at the same thread count; null when not measured.</summary>
    public MeasuredGemm? Gemm { get; init; }
}

/// <param name="TrainingPasses">The cost model's training token passes for this run (benign phase included).</param>
/// <param name="EvaluationPasses">The cost model's evaluation token passes for this run.</param>
public sealed record SampledRun(string Unit, string Run, string Family, int AttackerExamples, int? Steps, int? BatchSize,
    double TrainingPasses, double EvaluationPasses, double CpuSeconds, double WallSeconds);

/// <summary>One forward pass of the model over the test split with a fresh head, as every run's final scoring does.</summary>
public sealed record MeasuredEvaluation(int Examples, double TokenPasses, double CpuSeconds, double WallSeconds);

/// <summary>The model arm's retention unit (the desired-task probe and fine-tune), run once.</summary>
public sealed record MeasuredRetention(double CpuSeconds, double WallSeconds);

/// <summary>A cost sample and the battery's price from it: what <c>mlac certify --cost-sample</c> writes.</summary>
public sealed record CostReport(CostSample Sample, CostEstimate Estimate)
{
    public const string Schema = "mlac.cost-sample/v1";

    public const string FileName = "cost-sample.json";
}
