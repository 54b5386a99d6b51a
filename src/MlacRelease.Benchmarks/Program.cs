using MlacRelease.Benchmarks.Export;
using MlacRelease.Benchmarks.Training;

// A dispatcher only: each suite lives in its own folder and parses its own arguments. Benchmarks are measurements,
// not tests: each compares variants side by side in one run and reports ratios.
var suites = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["export"] = ExportBenchmark.Run,
    ["training-step"] = OuterStepBenchmark.Run,
    ["training-step-worker"] = OuterStepBenchmark.Worker,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var run))
{
    var names = suites.Keys.Where(k => !k.EndsWith("-worker", StringComparison.Ordinal));
    Console.Error.WriteLine($"usage: dotnet run -c Release --project src/MlacRelease.Benchmarks -- <{string.Join(" | ", names)}> [options]");
    return 2;
}
return run(args[1..]);
