using Microsoft.ML.OnnxRuntime;

namespace MlacRelease.Benchmarks.Export;

internal sealed record ExportBenchmarkOptions
{
    public int Threads { get; init; } = Environment.ProcessorCount;
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
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                options = args[i] switch
                {
                    "--threads" => options with { Threads = Positive(Next()) },
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
                            var other => throw new ArgumentException($"unknown level '{other}'"),
                        },
                    },
                    _ => throw new ArgumentException($"unknown option '{args[i]}'"),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine(e.Message);
                return null;
            }
        }
        return options;
    }

    private static int Positive(string text)
    {
        var value = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return value > 0 ? value : throw new ArgumentException($"expected a positive number, got {value}");
    }
}
