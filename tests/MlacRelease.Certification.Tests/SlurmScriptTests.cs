using System.Diagnostics;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Scheduling;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Tests;

/// <summary>
/// The Slurm scripts and campaign bookkeeping, checked by running the scripts under bash with a stand-in for mlac
/// that prints its arguments (the real cluster run is in MlacRelease.Distributed.Tests).
/// </summary>
public sealed class SlurmScriptTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(new[] { 1, 2, 3, 5, 7, 8 }, "1-3,5,7-8")]
    [InlineData(new[] { 4 }, "4")]
    [InlineData(new[] { 9, 1, 2, 2 }, "1-2,9")]
    public void Array_ranges_are_compressed_like_slurm_writes_them(int[] indices, string expected) =>
        ArrayRanges.Format(indices).Should().Be(expected);

    [Theory]
    [InlineData("plain/path-1.yaml")]
    [InlineData("with space")]
    [InlineData("it's $HOME `id` \"quoted\"; rm -rf /")]
    [InlineData("")]
    public void Quoted_words_reach_a_program_unchanged(string word)
    {
        var printed = Bash($"printf '%s\\n' {ShellQuoting.Quote(word)}", new());
        printed.Should().Be(word + "\n");
    }

    [Fact]
    public void The_array_script_runs_certify_for_its_shard_with_the_campaign_count_and_folder()
    {
        var campaign = Campaign(8, ["--model", "my model/", "--battery", "quick"]);
        var script = SlurmScripts.ArrayScript(campaign, new SlurmResources { Partition = "cpu", TimeLimit = "02:00:00", CpusPerTask = 4, GpusPerTask = 1, Memory = "8G", ExtraLines = ["--account=ml", "#SBATCH --qos=low"] });
        script.Should().Contain("#SBATCH --partition=cpu\n").And.Contain("#SBATCH --time=02:00:00\n").And.Contain("#SBATCH --cpus-per-task=4\n")
            .And.Contain("#SBATCH --gpus-per-task=1\n").And.Contain("#SBATCH --mem=8G\n").And.Contain("#SBATCH --account=ml\n").And.Contain("#SBATCH --qos=low\n")
            .And.Contain("#SBATCH --requeue\n").And.Contain($"#SBATCH --output={campaign.LogFolder}/shard-%a.log\n");
        Directives(script).Should().OnlyContain(d => d.StartsWith("#SBATCH --", StringComparison.Ordinal), "Slurm stops reading directives at the first command");

        // A resubmitted array of shards 3 and 7 is a 2-task array: the count must still be 8.
        var arguments = Bash(File.ReadAllText(Write(script)), new() { ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "2", ["SLURM_CPUS_PER_TASK"] = "4" })
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        arguments.Skip(1).Should().Equal("certify", "--model", "my model/", "--battery", "quick", "--shard", "3/8",
            "--out", campaign.ShardFolder(3), "--threads-per-worker", "4", "--no-progress");
    }

    [Fact]
    public void The_array_script_refuses_to_run_outside_an_array()
    {
        var script = Write(SlurmScripts.ArrayScript(Campaign(2, []), new SlurmResources()));
        var run = RunBash(File.ReadAllText(script), new());
        run.ExitCode.Should().NotBe(0);
        run.Error.Should().Contain("sbatch --array");
    }

    [Fact]
    public void The_merge_script_joins_all_shard_folders_and_runs_after_the_array_succeeded()
    {
        var campaign = Campaign(3, ["--battery", "quick"]);
        var arguments = Bash(File.ReadAllText(Write(SlurmScripts.MergeScript(campaign, new SlurmResources()))), new())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        arguments.Skip(1).Should().Equal("merge", "--out", campaign.Root, "--no-progress", campaign.ShardFolder(1), campaign.ShardFolder(2), campaign.ShardFolder(3));
        SlurmScripts.MergeSubmitArguments(campaign, "41").Should().Contain(["--dependency=afterok:41", "--kill-on-invalid-dep=yes"]);
        SlurmScripts.ArraySubmitArguments(campaign, [1, 3], new SlurmResources { MaxParallel = 2 }).Should().Contain("--array=1,3%2");
    }

    [Theory]
    [InlineData("--account=ml\n#SBATCH --wrap=evil")]
    [InlineData("rm -rf /")]
    [InlineData("")]
    [InlineData("--account=a --output=/x")]
    [InlineData("--account=a\t--output=/x")]
    [InlineData("#SBATCH --qos=low --output=/x")]
    [InlineData("--comment=two words")]
    [InlineData("--account=ml\n")]
    [InlineData("-A ml")]
    [InlineData("--=x")]
    public void Extra_lines_that_are_not_one_sbatch_option_are_refused(string line)
    {
        var act = () => new SlurmResources { ExtraLines = [line] }.Validate();
        act.Should().Throw<MlacInputException>().WithMessage("*--sbatch-line*exactly one sbatch option*--name=value with no spaces*")
            .Which.Message.Should().NotContain("\n", "the message shows control characters escaped, on one line");
    }

    [Fact]
    public void Two_options_in_one_extra_line_never_reach_the_script()
    {
        // Seen in issue 12: "--account=a --output=/x" became one directive, and its --output moved the shard logs.
        var act = () => SlurmScripts.ArrayScript(Campaign(2, []), new SlurmResources { ExtraLines = ["--account=a --output=/x"] });
        act.Should().Throw<MlacInputException>().WithMessage("--sbatch-line '--account=a --output=/x'*");
    }

    [Theory]
    [InlineData("--account=ml", "#SBATCH --account=ml")]
    [InlineData("  #SBATCH   --qos=low  ", "#SBATCH --qos=low")]
    [InlineData("--exclusive", "#SBATCH --exclusive")]
    [InlineData("-Aml", "#SBATCH -Aml")]
    [InlineData("--constraint=a100|h100", "#SBATCH --constraint=a100|h100")]
    public void One_option_per_extra_line_is_written_as_one_directive(string line, string directive) =>
        SlurmResources.SbatchLine(line).Should().Be(directive);

    [Theory]
    [InlineData("a b")]
    [InlineData("cpu;id")]
    public void Settings_with_shell_characters_are_refused(string partition)
    {
        var act = () => new SlurmResources { Partition = partition }.Validate();
        act.Should().Throw<MlacInputException>().WithMessage("*--partition*");
    }

    [Fact]
    public void A_campaign_folder_keeps_its_shard_count_and_arguments()
    {
        var root = _folder.File("campaign");
        var campaign = ShardCampaign.OpenOrCreate(root, 4, ["--battery", "quick"], ["mlac"], "/work");
        campaign.AddSubmission(new CampaignSubmission(DateTimeOffset.UnixEpoch, "10", [1, 2, 3, 4], "11"));
        campaign.Save();

        var reopened = ShardCampaign.OpenOrCreate(root, 4, ["--battery", "quick"], ["/new/mlac"], "/work");
        reopened.Record.Submissions.Should().ContainSingle().Which.ArrayJob.Should().Be("10");
        reopened.Record.MlacCommand.Should().Equal("/new/mlac");

        var otherCount = () => ShardCampaign.OpenOrCreate(root, 8, ["--battery", "quick"], ["mlac"], "/work");
        otherCount.Should().Throw<RunFolderMismatchException>().WithMessage("*4-shard campaign*");
        var otherArguments = () => ShardCampaign.OpenOrCreate(root, 4, ["--battery", "standard"], ["mlac"], "/work");
        otherArguments.Should().Throw<RunFolderMismatchException>().WithMessage("*other certify arguments*");

        File.WriteAllText(campaign.RecordPath, "{\"schema\": \"mlac.slurm-campaign/v1\", \"shard_count\": 4");
        var corrupt = () => ShardCampaign.TryOpen(root);
        corrupt.Should().Throw<MlacInputException>().WithMessage($"*{campaign.RecordPath}*");
    }

    [Fact]
    public void Status_tells_finished_running_pending_and_failed_shards_apart()
    {
        var campaign = ShardCampaign.OpenOrCreate(_folder.File("status"), 4, [], ["mlac"], "/work");
        campaign.AddSubmission(new CampaignSubmission(DateTimeOffset.UnixEpoch, "20", [1, 2, 3, 4], "21"));
        Directory.CreateDirectory(campaign.ShardFolder(1));
        File.WriteAllText(Path.Combine(campaign.ShardFolder(1), ShardManifest.FileName), "{}");
        Directory.CreateDirectory(campaign.LogFolder);
        File.WriteAllText(campaign.ShardLog(4), "started\nslurmstepd: error: *** JOB 24 CANCELLED ***\n");

        var status = CampaignStatus.Observe(campaign, [new("20_2", "RUNNING", "None"), new("20_3", "PENDING", "Resources"), new("21", "PENDING", "Dependency")]);
        status.Shards.Select(s => s.State).Should().Equal(ShardState.Finished, ShardState.Running, ShardState.Pending, ShardState.Failed);
        status.Active.Should().BeTrue();
        status.Failed.Should().ContainSingle().Which.Name.Should().Be("4/4");
        CampaignStatus.LastLogLine(status.Failed[0].Log).Should().Contain("CANCELLED");

        var pendingArray = CampaignStatus.Observe(campaign, [new("20_[2-4]", "PENDING", "Priority")]);
        pendingArray.Shards.Skip(1).Should().OnlyContain(s => s.State == ShardState.Pending, "a not yet expanded array line covers its shards");
        CampaignStatus.Observe(campaign, []).Active.Should().BeFalse();
    }

    private ShardCampaign Campaign(int shards, string[] certifyArguments)
    {
        // The stand-in for mlac prints its arguments one per line.
        var echo = Write("printf '%s\\n' \"$@\"\n");
        return ShardCampaign.OpenOrCreate(_folder.File("c" + Guid.NewGuid().ToString("N")[..6]), shards, certifyArguments, ["/bin/bash", echo], _folder.Path);
    }

    private string Write(string text)
    {
        var path = _folder.File(Guid.NewGuid().ToString("N") + ".sh");
        File.WriteAllText(path, text);
        return path;
    }

    private static IEnumerable<string> Directives(string script) =>
        script.Split('\n').TakeWhile(l => l.StartsWith('#')).Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal));

    private static string Bash(string script, Dictionary<string, string> environment)
    {
        var run = RunBash(script, environment);
        run.ExitCode.Should().Be(0, run.Error);
        return run.Output;
    }

    private static (int ExitCode, string Output, string Error) RunBash(string script, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-s");
        foreach (var name in new[] { "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_CPUS_PER_TASK", "SLURM_JOB_ID" }) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit(30_000).Should().BeTrue();
        return (process.ExitCode, output.Result, error.Result);
    }
}
