using System.Globalization;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Costing;
using MlacRelease.Certification.Execution;
using MlacRelease.Common.IO;

namespace MlacRelease.Cli.Terminal;

/// <summary>What <c>mlac certify --cost-sample</c> prints and writes.</summary>
public static class CostSampleOutput
{
    public static int Print(OutputMode mode, CostReport report, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (sample, estimate) = (report.Sample, report.Estimate);
        Directory.CreateDirectory(outputFolder);
        var path = Path.Combine(outputFolder, CostReport.FileName);
        AtomicFile.WriteAllBytes(path, CanonicalJson.Serialize(new { schema = CostReport.Schema, sample, estimate }));

        mode.Info(Invariant($"cost sample of {sample.Battery}: {sample.Runs.Count} runs at {sample.ThreadsPerWorker} thread(s), {sample.Runs.Sum(r => r.CpuSeconds):F0} CPU-s; ",
                            $"evaluation {estimate.EvaluationSecondsPerPass * 1e6:F1} CPU-µs per token pass ({sample.Evaluation.Examples} test examples in {sample.Evaluation.CpuSeconds:F1} CPU-s); ",
                            $"retention unit {sample.Retention.CpuSeconds:F0} CPU-s"));
        if (sample.Gemm is { } gemm)
            mode.Info(Invariant($"matrix product [{gemm.Rows}x{gemm.Inner}]·[{gemm.Inner}x{gemm.Columns}] fp32: {gemm.GflopsPerSecond:F1} GFLOP/s; ",
                                $"a token pass is {sample.FlopsPerTokenPass / 1e6:F1} MFLOP of dense layers; evaluation reaches ",
                                $"{Percent(sample.FlopsPerTokenPass / estimate.EvaluationSecondsPerPass / 1e9, gemm)} of the product's rate"));
        mode.Info("  model arm:            sampled  CPU-s/run (sampled)  train CPU-µs/pass  of GEMM   units   runs   CPU-h");
        foreach (var row in estimate.Rows.Where(r => r.Target == Certification.Data.TargetRole.Model))
        {
            var rate = row.Rate;
            var perPass = rate is { TrainingSecondsPerPass: > 0 } r ? r.TrainingSecondsPerPass : (double?)null;
            var sampled = rate is null ? "1" : rate.SampledRuns.ToString(CultureInfo.InvariantCulture);
            mode.Info(Invariant($"  {row.Family,-20} {sampled,8} {rate?.MeanSampledSeconds ?? sample.Retention.CpuSeconds,20:F1} ",
                                $"{(perPass is { } p ? (p * 1e6).ToString("F2", CultureInfo.InvariantCulture) : "-"),17} ",
                                $"{(perPass is { } q && sample.Gemm is { } g ? Percent(sample.FlopsPerTokenPass / q / 1e9, g) : "-"),8} {row.Units,7} {row.Runs,6} {row.CpuSeconds / 3600,7:F2}"));
            if (rate is { EvaluationExceededSample: true })
                mode.Info($"  warning: {row.Family}: the sampled runs' evaluation accounts for all their CPU time; its training rate is unmeasured (sample more runs)");
        }
        mode.Info(Invariant($"estimate: {estimate.AllTargetsCpuSeconds / 3600:F1} CPU-h with all three arms (empty baseline cache); ",
                            $"{estimate.ModelOnlyCpuSeconds / 3600:F1} CPU-h per further model (cached baselines); longest unit {estimate.LongestUnitSeconds / 3600:F2} CPU-h"));
        mode.Info(Invariant($"Slurm array of {estimate.SlurmAllTargets.Nodes} nodes x {estimate.SlurmAllTargets.WorkersPerNode} one-thread workers: ",
                            $"{estimate.SlurmAllTargets.WallSeconds / 3600:F2} h wall with all arms, {estimate.SlurmModelOnly.WallSeconds / 3600:F2} h with cached baselines ",
                            $"(slowest shard; no schedule beats the longest unit) → {path}"));
        if (mode.Json) OutputMode.WriteJson(new { schema = CostReport.Schema, file = path, sample, estimate });
        return ExitCodes.Success;
    }

    private static string Percent(double gflops, MeasuredGemm gemm) => (gflops / gemm.GflopsPerSecond).ToString("P0", CultureInfo.InvariantCulture);

    private static string Invariant(params FormattableString[] parts) => string.Concat(parts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
}
