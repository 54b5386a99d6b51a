using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// The hand-usable templates in release-checks/distributed/ do what the docs say: each is run (with a stand-in for
/// mlac that prints its arguments) as its scheduler would run it, and must start the right shard of the right count.
/// </summary>
public sealed class DistributedTemplateTests : IDisposable
{
    private readonly TempFolder _bin = new("mlac-fake-bin-");

    public DistributedTemplateTests()
    {
        var fake = Path.Combine(_bin.Path, "mlac");
        File.WriteAllText(fake, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _bin.Dispose();

    private static string Distributed(params string[] parts) =>
        Path.Combine([Root(), "release-checks", "distributed", .. parts]);

    [Fact]
    public void The_Kubernetes_indexed_job_runs_shard_index_plus_one_of_its_completions()
    {
        var job = Load(Distributed("kubernetes", "certify-indexed-job.yaml"));
        var spec = Map(job, "spec");
        Scalar(spec, "completionMode").Should().Be("Indexed");
        var completions = int.Parse(Scalar(spec, "completions"), System.Globalization.CultureInfo.InvariantCulture);
        var container = (YamlMappingNode)((YamlSequenceNode)Map(Map(spec, "template"), "spec").Children[new YamlScalarNode("containers")]).Children[0];
        var command = ((YamlSequenceNode)container.Children[new YamlScalarNode("args")]).Children.Cast<YamlScalarNode>().Single().Value!;

        var first = Shell(command, new() { ["JOB_COMPLETION_INDEX"] = "0" });
        first.Should().ContainInOrder("certify", "--shard", $"1/{completions}", "--out", "/cert/shards/shard-1");
        var last = Shell(command, new() { ["JOB_COMPLETION_INDEX"] = (completions - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        last.Should().ContainInOrder("--shard", $"{completions}/{completions}", "--out", $"/cert/shards/shard-{completions}");

        var merge = Load(Distributed("kubernetes", "merge-job.yaml"));
        var mergeContainer = (YamlMappingNode)((YamlSequenceNode)Map(Map(Map(merge, "spec"), "template"), "spec").Children[new YamlScalarNode("containers")]).Children[0];
        var mergeCommand = ((YamlSequenceNode)mergeContainer.Children[new YamlScalarNode("args")]).Children.Cast<YamlScalarNode>().Single().Value!;
        var merged = Shell(mergeCommand, new());
        merged.Should().StartWith(["merge", "--out", "/cert"]);
        merged.Where(a => a.StartsWith("/cert/shards/", StringComparison.Ordinal)).Should().HaveCount(completions, "merge must be given every shard");
    }

    [Fact]
    public void The_Slurm_template_runs_its_array_task_as_shard_i_of_the_fixed_count()
    {
        var script = Distributed("slurm", "certify-array.sbatch");
        var arguments = Shell("exec bash " + script, new() { ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "2", ["SLURM_CPUS_PER_TASK"] = "4" });
        arguments.Should().ContainInOrder("certify", "--shard", "3/16", "--out", "/shared/mlac/cert/shards/shard-3", "--threads-per-worker", "4");
        var directives = File.ReadLines(script).TakeWhile(l => l.StartsWith('#')).Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)).ToList();
        directives.Should().Contain("#SBATCH --requeue").And.NotBeEmpty();
    }

    private string[] Shell(string command, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["PATH"] = _bin.Path + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit(30_000).Should().BeTrue();
        process.ExitCode.Should().Be(0, error.Result);
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    private static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MlacRelease.sln"))) folder = folder.Parent;
        return folder!.FullName;
    }
}
