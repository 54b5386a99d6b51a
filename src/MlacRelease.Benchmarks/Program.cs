using MlacRelease.Benchmarks.Export;

// A dispatcher only: each suite lives in its own folder and parses its own arguments.
var suites = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["export"] = ExportBenchmark.Run,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project src/MlacRelease.Benchmarks -- <{string.Join(" | ", suites.Keys)}> [options]");
    return 2;
}
return run(args[1..]);
