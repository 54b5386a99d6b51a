using System.Diagnostics;
using System.Text.Json;

namespace MlacRelease.Export.Tests;

/// <summary>
/// Runs TransformersJs/run-release.cjs (copied beside the tests) with the pinned @huggingface/transformers that .ci/run
/// installs into $MLAC_TRANSFORMERS_JS, by default ~/.cache/mlac-npm/transformers-js@4.3.2 (package.json and
/// package-lock.json in this project's TransformersJs folder).
/// </summary>
public static class TransformersJs
{
    public const string EnvironmentVariable = "MLAC_TRANSFORMERS_JS";

    public static string Folder => NodeTools.PackageFolder(EnvironmentVariable, "transformers-js@4.3.2");

    /// <summary>What transformers.js made of the texts (Classes: every class with its probability, best first, per text); <see cref="Wall"/> is the node process's whole run, <see cref="NodeMilliseconds"/> the part after its modules loaded.</summary>
    public sealed record Result(string Version, int[][] TruncatedIds, int[][] FullIds, float[][] Mean, float[][] Cls, (string Label, double Score)[][]? Classes, long NodeMilliseconds, TimeSpan Wall);

    public static Result Run(string releaseFolder, IReadOnlyList<string> texts, string workFolder)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "TransformersJs", "run-release.cjs");
        File.Exists(script).Should().BeTrue($"the consumer script is copied beside the tests ({script})");
        File.Exists(Path.Combine(Folder, "node_modules", "@huggingface", "transformers", "package.json")).Should().BeTrue(
            $"the pinned transformers.js must be installed in {Folder}: .ci/run does it, or run " +
            $"'mkdir -p {Folder} && cp tests/MlacRelease.Export.Tests/TransformersJs/package*.json {Folder}/ && npm ci --prefix {Folder} --ignore-scripts'");
        Directory.CreateDirectory(workFolder);
        var textsPath = Path.Combine(workFolder, "texts.json");
        var outPath = Path.Combine(workFolder, "transformers-js.json");
        File.WriteAllText(textsPath, JsonSerializer.Serialize(texts));
        var clock = Stopwatch.StartNew();
        var (code, output) = NodeTools.Run(TimeSpan.FromMinutes(5), script, Folder, releaseFolder, textsPath, outPath);
        clock.Stop();
        code.Should().Be(0, $"transformers.js must load the release as it is: {output}");
        using var document = JsonDocument.Parse(File.ReadAllBytes(outPath));
        var root = document.RootElement;
        static int[][] Ids(JsonElement e) => e.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        static float[][] Vectors(JsonElement e) => e.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var classes = root.GetProperty("classes") is { ValueKind: JsonValueKind.Array } c
            ? c.EnumerateArray().Select(row => row.EnumerateArray().Select(x => (x.GetProperty("label").GetString()!, x.GetProperty("score").GetDouble())).ToArray()).ToArray()
            : null;
        return new Result(root.GetProperty("version").GetString()!, Ids(root.GetProperty("truncatedIds")), Ids(root.GetProperty("fullIds")),
            Vectors(root.GetProperty("mean")), Vectors(root.GetProperty("cls")), classes, root.GetProperty("ms").GetInt64(), clock.Elapsed);
    }
}
