namespace MlacRelease.Certification.Execution;

/// <summary>A progress event: sent after every fine-tuning run (done or found on disk).</summary>
/// <param name="CompletedRuns">Runs finished in this shard, resumed ones included.</param>
/// <param name="ResumedRuns">Runs found finished on disk and not redone.</param>
/// <param name="LastRun">The run that just finished, e.g. "model/lora/n=20: seed-1".</param>
/// <param name="EstimatedRemaining">From the cost model and the speed so far; null until something has been computed.</param>
public sealed record CertificationProgress(
    int CompletedRuns,
    int TotalRuns,
    int ResumedRuns,
    int CompletedUnits,
    int TotalUnits,
    string LastRun,
    TimeSpan Elapsed,
    TimeSpan? EstimatedRemaining);
