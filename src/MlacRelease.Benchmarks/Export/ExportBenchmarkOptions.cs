using MlacRelease.Common.Errors;
using MlacRelease.Export.Onnx;
using MlacRelease.Core.Sources;
using Microsoft.ML.OnnxRuntime;

namespace MlacRelease.Benchmarks.Export;

internal sealed record ExportBenchmarkOptions
{
    /// <summary>Intra-op thread counts, each measured in turn in the same run ("--threads 1,2").</summary>
    public IReadOnlyList<int> Threads { get; init; } = [Environment.ProcessorCount];

    /// <summary>The encoder to export: the built-in MiniLM, or a trained model folder (<c>ModelSource</c> syntax).</summary>
    public string Model { get; init; } = ModelSource.Default;

    /// <summary>Which exports to time: portable, fused, int8, original (the PyTorch export).</summary>
    public IReadOnlyList<string> Models { get; init; } = [.. OnnxGraphFlavors.Names, Original];

    /// <summary>The built-in MiniLM's own PyTorch export, the yardstick for the fp32 graphs.</summary>
    public const string Original = "original";

    /// <summary>Texts for the int8 quality section (desired-task probe and head); 0 skips it.</summary>
    public int QualityTrain { get; init; } = 2000;

    public int QualityTest { get; init; } = 1000;

    /// <summary>Skip the ORT profiler section (it re-runs every model).</summary>
    public bool Profile { get; init; } = true;
    public int Warmup { get; init; } = 5;
    public GraphOptimizationLevel Level { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    public string? Output { get; init; }
    public int SmallIterations { get; init; } = 300;
    public int LargeIterations { get; init; } = 25;

    public IReadOnlyList<ExportBenchmarkCase> Cases => [new(1, 32, SmallIterations), new(32, 128, LargeIterations)];

    public static ExportBenchmarkOptions? Parse(string[] args)
    {
        var options = new ExportBenchmarkOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new MlacInputException($"{args[i]} needs a value");
            try
            {
                options = args[i] switch
                {
                    "--model" => options with { Model = Next() },
                    "--threads" => options with { Threads = Next().Split(',').Select(Positive).ToList() },
                    "--models" => options with { Models = ParseModels(Next()) },
                    "--quality-train" => options with { QualityTrain = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                    "--quality-test" => options with { QualityTest = Positive(Next()) },
                    "--no-profile" => options with { Profile = false },
                    "--warmup" => options with { Warmup = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                    "--small-iterations" => options with { SmallIterations = Positive(Next()) },
                    "--large-iterations" => options with { LargeIterations = Positive(Next()) },
                    "--out" => options with { Output = Next() },
                    "--level" => options with
                    {
                        Level = Next() switch
                        {
                            "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                            "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                            "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
                            var other => throw new MlacInputException($"unknown level '{other}'"),
                        },
                    },
                    _ => throw new MlacInputException($"unknown option '{args[i]}'"),
                };
            }
            catch (Exception e) when (e is MlacInputException or FormatException)
            {
                Console.Error.WriteLine(e.Message);
                return null;
            }
        }
        return options;
    }

    private static IReadOnlyList<string> ParseModels(string text)
    {
        var models = text.Split(',');
        var known = OnnxGraphFlavors.Names.Append(Original).ToList();
        var unknown = models.Where(m => !known.Contains(m)).ToList();
        return unknown.Count == 0 ? models : throw new MlacInputException($"unknown model(s) {string.Join(", ", unknown)}; choose from {string.Join(", ", known)}");
    }

    private static int Positive(string text)
    {
        var value = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return value > 0 ? value : throw new MlacInputException($"expected a positive number, got {value}");
    }
}
