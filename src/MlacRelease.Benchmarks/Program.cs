using MlacRelease.Benchmarks.Training;

// Benchmarks are measurements, not tests: each compares variants side by side in one run and reports ratios.
// Usage: dotnet run -c Release --project src/MlacRelease.Benchmarks -- <name> [options]
var benches = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["training-step"] = OuterStepBenchmark.Run,
    ["training-step-worker"] = OuterStepBenchmark.Worker,
};
if (args.Length == 0 || !benches.TryGetValue(args[0], out var bench))
{
    Console.Error.WriteLine($"usage: MlacRelease.Benchmarks <{string.Join(" | ", benches.Keys.Where(k => !k.EndsWith("-worker", StringComparison.Ordinal)))}> [options]");
    return 2;
}
return bench(args[1..]);
