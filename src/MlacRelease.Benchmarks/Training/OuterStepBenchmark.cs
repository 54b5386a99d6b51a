using MlacRelease.Core.Numerics;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlacRelease.Common.Text;
using MlacRelease.Core.Builtin;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Benchmarks.Training;

/// <summary>
/// One MLAC outer step (second order), naive (dense embedding fast weights, textbook Adam) vs optimised (row-wise
/// embedding fast weights, ten-op Adam), for two shapes: BERT-tiny (2 × 128, vocab 30522, K = 16) and the built-in MiniLM cut to 2 layers (2 × 384, K = 4),
/// batch 16 × 64 tokens. Each (shape, variant) runs in its own child process so its peak memory is its own; the
/// variants alternate over rounds so drift on a shared machine hits both alike. The machine's GEMM rate is measured
/// in the same run.
/// </summary>
public static class OuterStepBenchmark
{
    private sealed record Case(string Shape, string Variant);

    private sealed record WorkerResult(string Shape, string Variant, double[] Seconds, double PeakRssMb, double Flops, double GemmGflops);

    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
        var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var cases = new[] { "bert-tiny", "minilm-2" }.SelectMany(s => new[] { new Case(s, "naive"), new Case(s, "optimised") }).ToList();
        var results = new List<WorkerResult>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var c in round % 2 == 0 ? cases : Enumerable.Reverse(cases))
            {
                Console.Error.WriteLine($"round {round + 1}/{rounds}: {c.Shape} {c.Variant} …");
                results.Add(RunWorker(c, steps));
            }
        }

        var peak = Gemm(2048, 2048, 2048);
        Console.WriteLine($"GEMM 2048³ fp32: {peak:F1} GFLOP/s ({Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()})");
        Console.WriteLine();
        Console.WriteLine("| shape | variant | median step (s) | steps timed | est. GFLOP/s | % of GEMM peak | peak RSS (MB) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => (r.Shape, r.Variant)))
        {
            var seconds = group.SelectMany(r => r.Seconds).Order().ToArray();
            var median = Median(seconds);
            var flops = group.First().Flops;
            Console.WriteLine($"| {group.Key.Shape} | {group.Key.Variant} | {median:F2} | {seconds.Length} | {flops / median / 1e9:F1} | {100 * flops / median / 1e9 / peak:F0}% | {group.Max(r => r.PeakRssMb):F0} |");
        }
        Console.WriteLine();
        foreach (var shape in results.Select(r => r.Shape).Distinct())
        {
            var naive = Median(results.Where(r => r.Shape == shape && r.Variant == "naive").SelectMany(r => r.Seconds).ToArray());
            var optimised = Median(results.Where(r => r.Shape == shape && r.Variant == "optimised").SelectMany(r => r.Seconds).ToArray());
            Console.WriteLine($"{shape}: optimised is {naive / optimised:F2}× faster than naive");
        }
        Console.WriteLine();
        Console.WriteLine("GEMM rate at the encoders' own matrix shapes (tokens × in × out), for the large-matrix parts:");
        foreach (var (m, k, n) in new[] { (1024, 128, 512), (1024, 512, 128), (1024, 384, 1536), (1024, 1536, 384) })
        {
            var rate = Gemm(m, k, n);
            Console.WriteLine($"  {m}×{k}×{n}: {rate:F1} GFLOP/s = {100 * rate / peak:F0}% of the 2048³ rate");
        }
        Console.WriteLine();
        Console.WriteLine("est. GFLOP/s uses a FLOP model of the step: 3·(4K+1)·F, F = matmul FLOPs of one encoder forward on the batch; "
            + "an estimate of useful work, not a hardware counter.");
        return 0;
    }

    private static WorkerResult RunWorker(Case c, int steps)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        var entry = System.Reflection.Assembly.GetEntryAssembly()!.Location;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(entry);
        foreach (var a in new[] { "training-step-worker", c.Shape, c.Variant, steps.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"worker {c} failed with exit code {process.ExitCode}");
        return JsonSerializer.Deserialize<WorkerResult>(output.Trim().Split('\n')[^1])!;
    }

    public static int Worker(string[] args)
    {
        var (shape, variant, steps) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        // An optional batch size (default 16) for diagnosis: at batch 1 the arithmetic nearly vanishes and what is left
        // of a step is per-op overhead.
        var batch = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 16;
        EncoderWeights encoder;
        int innerSteps;
        if (shape == "bert-tiny")
        {
            encoder = EncoderWeights.RandomInit(EncoderConfig.BertTiny, seed: 1);
            innerSteps = 16;
        }
        else
        {
            encoder = BuiltinModel.Load(layers: 2);
            innerSteps = 4;
        }
        using var state = MlacModelState.Create(encoder, desiredClasses: 28, harmfulClasses: 2, attackerLearningRate: 3e-4, seed: 2);
        // Real text (the built-in corpus), six biographies to a row, cut to exactly 64 tokens: the token statistics
        // decide how many embedding rows a rollout touches, so random ids would misrepresent the sparse layout.
        var tokenizer = new BertTextTokenizer(BuiltinModel.ReadVocabulary());
        var bios = BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 6 * batch * (innerSteps + 1) * (steps + 1), Seed = 4 }).ToList();
        var next = 0;
        LabeledBatch Batch() => LabeledBatch.Collate(Enumerable.Range(0, batch).Select(_ =>
        {
            var text = string.Join(" ", bios.Skip(next).Take(6).Select(b => b.Text));
            var gender = bios[next].HarmfulLabel == BiosCorpusGenerator.Female ? 1 : 0;
            next += 6;
            var ids = tokenizer.Encode(text, maxLength: 64).ToArray();
            if (ids.Length != 64) throw new InvalidOperationException("six biographies should exceed 64 tokens");
            return new EncodedExample(ids, next % 28, gender);
        }).ToList());
        // Naive: dense embedding fast weights and Adam written out op by op. Optimised: row-wise embedding fast weights
        // and the ten-op Adam. Both give the same gradients (tests: sparse = dense; both Adams = torch.optim.Adam).
        // A third variant for diagnosis only, "optimised-sgd" (the optimised layout with plain SGD as the attacker),
        // bounds what any further cut in the optimiser's ops could win.
        var options = new MlacObjectiveOptions
        {
            SparseEmbeddings = variant is "optimised" or "optimised-sgd",
            TextbookInnerAdam = variant == "naive",
            InnerOptimizer = variant == "optimised-sgd" ? InnerOptimizerKind.Sgd : InnerOptimizerKind.Adam,
        };
        var parameters = state.OuterParameters.Select(p => p.Tensor).ToList();
        var times = new List<double>();
        for (var step = 0; step <= steps; step++)
        {
            var plan = new RolloutPlan(Batch(), Enumerable.Range(0, innerSteps).Select(_ => Batch()).ToList(), Enumerable.Repeat(false, innerSteps).ToList());
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var terms = MlacObjective.Compute(state, plan, options);
                var grads = autograd.grad([terms.Outer], parameters, allow_unused: true);
                _ = grads[0].sum().Value();
            }
            if (step > 0) times.Add(clock.Elapsed.TotalSeconds);   // step 0 is warm-up
        }
        var config = state.Encoder.Config;
        var result = new WorkerResult(shape, variant, [.. times], PeakRssMb(), StepFlops(config, innerSteps, batch, 64), 0);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Matmul FLOPs of one encoder forward on a [batch, length] input.</summary>
    private static double ForwardFlops(EncoderConfig c, int batch, int length)
    {
        double tokens = batch * length, h = c.HiddenSize, i = c.IntermediateSize;
        var perLayer = 2 * tokens * (4 * h * h + 2 * h * i) + 4.0 * batch * length * length * h;
        return c.NumHiddenLayers * perLayer + 2.0 * batch * h * h;
    }

    private static double StepFlops(EncoderConfig c, int k, int batch, int length)
    {
        var f = ForwardFlops(c, batch, length);
        // Per inner step: forward + create-graph backward (≈3F) and the outer-batch forward (F); the final backward
        // re-traverses all of it (≈2×) and the inner backward's own derivative (≈2× of its 2F).
        // Forward graph: K inner forwards (F) with create-graph backwards (2F) and K+1 outer-batch forwards (F); the
        // final backward costs about twice the work of every node it traverses, the inner backwards included.
        var graph = (4.0 * k + 1) * f;
        return 3 * graph;
    }

    private static double Gemm(int m, int k, int n)
    {
        using var scope = NewDisposeScope();
        var a = randn(m, k);
        var b = randn(k, n);
        _ = matmul(a, b).sum().Value();
        var reps = Math.Max(3, (int)(2e10 / (2.0 * m * k * n)));
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < reps; r++) _ = matmul(a, b);
        return 2.0 * m * k * n * reps / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        return double.NaN;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
