using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Release;
using MlacRelease.Core.Builtin;
using MlacRelease.Core.Sources;
using MlacRelease.Export.Diagnostics;
using MlacRelease.Export.Onnx;

namespace MlacRelease.Benchmarks.Export;

/// <summary>
/// Our ONNX export of the built-in MiniLM against the original PyTorch export of the same weights, in one process,
/// on the same ONNX Runtime with the same session settings, CPU: median latency and throughput for batch 1 × 32 and
/// batch 32 × 128 tokens, their ratio, and the fusions ORT applied to each graph. Runs alternate between the two
/// models (A B A B …) so drift in machine load affects both alike.
/// </summary>
public static class ExportBenchmark
{
    public static int Run(string[] args)
    {
        var options = ExportBenchmarkOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: export [--model builtin:minilm|DIR] [--threads N[,N…]] [--models portable,ort-fused,int8,original] [--warmup N] [--small-iterations N] [--large-iterations N] [--quality-train N] [--quality-test N] [--no-profile] [--level basic|extended|all] [--out report.md]");
            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("mlac-bench-export-").FullName;
        try
        {
            var theirsPath = Path.Combine(folder, "original-minilm.onnx");
            File.WriteAllBytes(theirsPath, BuiltinModel.ReadOnnx());
            var oursPath = Path.Combine(folder, "ours-minilm.onnx");
            var fusedPath = Path.Combine(folder, "ours-fused-minilm.onnx");
            var int8Path = Path.Combine(folder, "ours-int8-minilm.onnx");
            // "original" is the built-in's own PyTorch export: it is the same weights only for the built-in model.
            if (options.Model != ModelSource.Default && options.Models.Contains(ExportBenchmarkOptions.Original))
            {
                Console.Error.WriteLine("error: --models original compares with the built-in MiniLM's own export; with --model, name the other models (e.g. --models portable,int8)");
                return 2;
            }
            var (loaded, vocabulary, description) = ModelSource.Load(options.Model);
            using (var weights = loaded)
            {
                EncoderOnnxExporter.Save(weights, oursPath);
                EncoderOnnxExporter.Save(weights, fusedPath, new OnnxExportOptions { Flavor = OnnxGraphFlavor.OnnxRuntimeFused });
                EncoderOnnxExporter.Save(weights, int8Path, new OnnxExportOptions { Flavor = OnnxGraphFlavor.Int8 });
            }
            var all = new Dictionary<string, (string Name, string Path)>
            {
                [OnnxGraphFlavors.Name(OnnxGraphFlavor.Portable)] = ("ours (portable)", oursPath),
                [OnnxGraphFlavors.Name(OnnxGraphFlavor.OnnxRuntimeFused)] = ("ours (ORT-fused)", fusedPath),
                [OnnxGraphFlavors.Name(OnnxGraphFlavor.Int8)] = ("ours (int8)", int8Path),
                [ExportBenchmarkOptions.Original] = ("original", theirsPath),
            };
            var models = all.Where(kv => options.Models.Contains(kv.Key)).Select(kv => kv.Value).ToArray();

            var report = new StringBuilder();
            report.AppendLine($"# Export benchmark: {description}: our exports (fp32 and int8){(options.Models.Contains(ExportBenchmarkOptions.Original) ? " vs the original model.onnx" : "")}");
            report.AppendLine();
            var ratios = new List<string>();
            var profiles = new List<(ExportBenchmarkCase Case, List<(string Model, IReadOnlyList<(string Op, double Share)> Shares)> Models)>();
            foreach (var threads in options.Threads)
            {
                var run = options with { Threads = [threads] };
                report.AppendLine($"## Intra-op threads: {threads}");
                report.AppendLine();
                report.AppendLine($"- ONNX Runtime {OrtEnv.Instance().GetVersionString()}, CPU execution provider, {options.Level}, intra-op threads {threads}, inter-op threads 1, sequential execution");
                report.AppendLine($"- machine: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}");
                report.AppendLine($"- {options.Warmup} warm-up runs per model and shape, then timed runs rotating through the models; latency = wall time of one session.Run computing both outputs; inputs: random word pieces, no padding");
                report.AppendLine();
                report.AppendLine("| batch × tokens | model | median ms | p10 ms | p90 ms | sequences/s | tokens/s | runs |");
                report.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
                foreach (var benchmarkCase in options.Cases)
                {
                    var (samples, maxDiffs) = Measure(models, benchmarkCase, run);
                    foreach (var sample in samples)
                    {
                        var seconds = sample.Median / 1000.0;
                        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {benchmarkCase} | {sample.Model} | {sample.Median:F2} | {sample.Percentile(10):F2} | {sample.Percentile(90):F2} | {benchmarkCase.BatchSize / seconds:F1} | {benchmarkCase.Tokens / seconds:F0} | {sample.Count} |"));
                    }
                    if (options.Profile && threads == options.Threads[0])
                        profiles.Add((benchmarkCase, models.Select(m => (m.Name, Profile(m.Path, benchmarkCase, run))).ToList()));
                    ratios.AddRange(Ratios(models, samples, maxDiffs, benchmarkCase, threads));
                }
                report.AppendLine();
            }            report.AppendLine();
            report.AppendLine("## Ratio");
            report.AppendLine();
            foreach (var line in ratios) report.AppendLine(line);
            report.AppendLine();
            report.AppendLine($"## Fusions ONNX Runtime applied ({options.Level})");
            report.AppendLine();
            foreach (var (name, path) in models)
            {
                var fusion = OrtOptimizationReport.Analyze(path, options.Level);
                report.AppendLine($"- {name}: {fusion.NodesBefore} nodes → {fusion.NodesAfter} after optimization; fused operators: {fusion.FusedSummary()}");
                report.AppendLine($"  - remaining: {string.Join(", ", fusion.After.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}×{kv.Value}"))}");
            }

            report.AppendLine();
            report.AppendLine("## Where the time goes (ORT profiler, share of kernel time by operator)");
            report.AppendLine();
            foreach (var (benchmarkCase, perModel) in profiles)
            {
                foreach (var (model, shares) in perModel)
                {
                    var matrix = shares.Where(s => s.Op is "MatMul" or "FusedMatMul" or "Gemm" or "FusedGemm" or "Attention" or "MatMulInteger" or "DynamicQuantizeMatMul" or "MatMulIntegerToFloat").Sum(s => s.Share);
                    report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"- {benchmarkCase}, {model}: matrix products {matrix:P0}; {string.Join(", ", shares.Take(6).Select(s => $"{s.Op} {s.Share:P1}"))}"));
                }
            }

            if (options.QualityTrain > 0 && options.Models.Contains(OnnxGraphFlavors.Name(OnnxGraphFlavor.Portable)) && options.Models.Contains(OnnxGraphFlavors.Name(OnnxGraphFlavor.Int8)))
            {
                report.AppendLine();
                report.AppendLine("## int8 vs fp32 (portable): outputs and desired-task accuracy (ONNX Runtime, real text)");
                report.AppendLine();
                report.Append(Int8Quality.Report(oursPath, int8Path, vocabulary, options.QualityTrain, options.QualityTest));
            }

            Console.WriteLine(report.ToString());
            if (options.Output is not null) File.WriteAllText(options.Output, report.ToString());
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Each model against the original (when timed), and int8 against the fp32 portable export (goal ≤ 0.5).</summary>
    private static IEnumerable<string> Ratios((string Name, string Path)[] models, IReadOnlyList<LatencySample> samples, double[] maxDiffs,
        ExportBenchmarkCase benchmarkCase, int threads)
    {
        int Index(string name) => Array.FindIndex(models, m => m.Name == name);
        var original = Index(ExportBenchmarkOptions.Original);
        var portable = Index("ours (portable)");
        var int8 = Index("ours (int8)");
        for (var m = 0; original >= 0 && m < samples.Count; m++)
        {
            if (m == original) continue;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"- {threads} thread(s), {benchmarkCase}: {samples[m].Model} / original median latency = **{samples[m].Median / samples[original].Median:F3}** (goal ≤ 0.8); last_hidden_state max |Δ| vs {models[^1].Name} {maxDiffs[m]:E2}");
        }
        if (portable >= 0 && int8 >= 0)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"- {threads} thread(s), {benchmarkCase}: **int8 / fp32 (portable) median latency = {samples[int8].Median / samples[portable].Median:F3}** (goal ≤ 0.5)");
        }
    }

    private static (IReadOnlyList<LatencySample> Samples, double[] MaxDiffs) Measure((string Name, string Path)[] models, ExportBenchmarkCase benchmarkCase, ExportBenchmarkOptions options)
    {
        using var sessionOptions = NewSessionOptions(options);
        var sessions = models.Select(m => new InferenceSession(m.Path, sessionOptions)).ToArray();
        try
        {
            var inputs = BenchmarkInputs.Create(benchmarkCase, seed: 17);
            using var runner = new BenchmarkRunner(inputs);
            var reference = runner.RunOnce(sessions[^1]);
            var maxDiffs = sessions.Select(s => MaxAbsDiff(runner.RunOnce(s), reference)).ToArray();
            for (var i = 0; i < options.Warmup; i++)
            {
                foreach (var session in sessions) runner.Time(session);
            }
            var samples = models.Select(m => new LatencySample(m.Name)).ToArray();
            for (var i = 0; i < benchmarkCase.Iterations; i++)
            {
                // Rotate which model goes first, so none always runs right after the same other one.
                for (var k = 0; k < sessions.Length; k++)
                {
                    var m = (i + k) % sessions.Length;
                    samples[m].Add(runner.Time(sessions[m]));
                }
            }
            return (samples, maxDiffs);
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
        }
    }

    private static IReadOnlyList<(string Op, double Share)> Profile(string modelPath, ExportBenchmarkCase benchmarkCase, ExportBenchmarkOptions options)
    {
        using var template = NewSessionOptions(options);
        using var runner = new BenchmarkRunner(BenchmarkInputs.Create(benchmarkCase, seed: 17));
        return OperatorProfile.Measure(modelPath, template, session => runner.Time(session), runs: Math.Max(2, Math.Min(10, benchmarkCase.Iterations / 5)));
    }

    private static SessionOptions NewSessionOptions(ExportBenchmarkOptions options) => new()
    {
        GraphOptimizationLevel = options.Level,
        IntraOpNumThreads = options.Threads[0],
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        if (a.Length != b.Length) return double.PositiveInfinity;
        double worst = 0;
        for (var i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }
}

/// <summary>Input tensors of one benchmark case: random word pieces, every token real (no padding).</summary>
internal sealed record BenchmarkInputs(long[] Shape, long[] InputIds, long[] AttentionMask, long[] TokenTypeIds)
{
    public static BenchmarkInputs Create(ExportBenchmarkCase benchmarkCase, int seed)
    {
        var random = new Random(seed);
        var count = benchmarkCase.Tokens;
        var ids = new long[count];
        for (var i = 0; i < count; i++) ids[i] = i % benchmarkCase.SequenceLength == 0 ? 101 : random.Next(1000, 30000);
        var mask = Enumerable.Repeat(1L, count).ToArray();
        return new BenchmarkInputs([benchmarkCase.BatchSize, benchmarkCase.SequenceLength], ids, mask, new long[count]);
    }
}

/// <summary>Runs a session on fixed inputs; the OrtValues and RunOptions live as long as the runner (never finalised mid-call).</summary>
internal sealed class BenchmarkRunner : IDisposable
{
    private static readonly string[] InputNames = [OnnxIoNames.InputIds, OnnxIoNames.AttentionMask, OnnxIoNames.TokenTypeIds];
    private readonly OrtValue[] _inputs;
    private readonly RunOptions _runOptions = new();

    public BenchmarkRunner(BenchmarkInputs inputs)
    {
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(inputs.InputIds, inputs.Shape),
            OrtValue.CreateTensorValueFromMemory(inputs.AttentionMask, inputs.Shape),
            OrtValue.CreateTensorValueFromMemory(inputs.TokenTypeIds, inputs.Shape),
        ];
    }

    /// <summary>Milliseconds for one Run, both outputs computed (the original names its pooled output "924").</summary>
    public double Time(InferenceSession session)
    {
        var outputNames = session.OutputNames;
        var start = Stopwatch.GetTimestamp();
        using (session.Run(_runOptions, InputNames, _inputs, outputNames))
        {
        }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>last_hidden_state, for checking both graphs compute the same thing.</summary>
    public float[] RunOnce(InferenceSession session)
    {
        using var outputs = session.Run(_runOptions, InputNames, _inputs, session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        foreach (var value in _inputs) value.Dispose();
        _runOptions.Dispose();
    }
}
