using System.Diagnostics;
using Xunit.Abstractions;

namespace MlacRelease.Distributed.Tests;

/// <summary>
/// The scale-out path on a real Slurm cluster: a 4-shard array submitted by <c>mlac slurm submit</c>, one array task
/// killed mid-run (the submit command names it, merge refuses the incomplete set naming it, a rerun resubmits only
/// it), then the merged certificate compared byte for byte with an unsharded run of the same battery.
/// </summary>
public sealed class SlurmCampaignTests(LocalSlurmCluster cluster, ITestOutputHelper output) : IClassFixture<LocalSlurmCluster>, IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);
    private readonly TempFolder _work = new("mlac-slurm-test-");

    public void Dispose() => _work.Dispose();

    [SlurmFact]
    public void A_four_shard_array_with_a_killed_task_resubmits_it_and_merges_to_the_unsharded_certificate()
    {
        _ = cluster;
        var clock = Stopwatch.StartNew();
        // The baseline cache is off: this test compares a sharded campaign with a single run, both computing every arm.
        string[] certify = ["--model", "builtin:minilm:1", "--data", "builtin:bios:1500", "--battery", Path.Combine(AppContext.BaseDirectory, "slurm-tiny.yaml"), "--baseline-cache", "none"];
        var whole = Path.Combine(_work.Path, "whole");
        var campaign = Path.Combine(_work.Path, "campaign");

        // One process, one thread: the numerics a 1-CPU array task has (the thread count is part of the certificate).
        var single = Processes.Mlac(_work.Path, Limit, ["certify", .. certify, "--out", whole, "--threads-per-worker", "1", "--no-progress"]);
        single.Code.Should().Be(0, single.Output);
        output.WriteLine($"unsharded run: {clock.Elapsed.TotalSeconds:F0} s");

        // Submit and wait in the background; kill the first array task seen running.
        var submitLog = Path.Combine(_work.Path, "submit-1.log");
        string[] submit = ["slurm", "submit", "--out", campaign, "--shards", "4", "--cpus-per-task", "1", "--wait", "--poll", "1", "--no-progress", "--", .. certify];
        var arrayClock = Stopwatch.StartNew();
        using (var waiting = Processes.StartMlac(_work.Path, submitLog, submit))
        {
            var killed = KillFirstRunningTask(TimeSpan.FromMinutes(3));
            waiting.WaitForExit(Limit).Should().BeTrue("submit --wait ends when no job is left");
            var log = File.ReadAllText(submitLog);
            output.WriteLine(log);
            File.Exists(Path.Combine(campaign, "shards", $"shard-{killed}", "shard-manifest.json")).Should().BeFalse(
                $"shard {killed} was cancelled while running (if it finished first, the machine was too fast for this drill)");
            waiting.ExitCode.Should().Be(3, log);
            log.Should().Contain($"shard {killed}/4 failed").And.Contain($"1 of 4 shard(s) failed: {killed}/4").And.Contain("rerun");

            // Merge names the missing shard.
            var present = Enumerable.Range(1, 4).Select(i => Path.Combine(campaign, "shards", $"shard-{i}")).Where(Directory.Exists).ToArray();
            var merge = Processes.Mlac(_work.Path, Limit, ["merge", "--out", Path.Combine(_work.Path, "partial"), .. present]);
            merge.Code.Should().Be(1, merge.Output);
            merge.Output.Should().Contain($"missing or unfinished: {killed}/4");

            var status = Processes.Mlac(_work.Path, Limit, "slurm", "status", "--out", campaign);
            status.Code.Should().Be(3, status.Output);
            status.Output.Should().Contain($"shard {killed}/4").And.Contain("failed");
        }
        output.WriteLine($"array with the killed task: {arrayClock.Elapsed.TotalSeconds:F0} s");

        // The same command again resubmits exactly the killed shard, then merges.
        var rerun = Processes.Mlac(_work.Path, Limit, submit);
        output.WriteLine(rerun.Output);
        rerun.Code.Should().Be(0, rerun.Output);
        rerun.Output.Should().Contain("(1 of 4 shards:");
        File.ReadAllBytes(Path.Combine(campaign, "certificate.json")).Should().Equal(File.ReadAllBytes(Path.Combine(whole, "certificate.json")),
            "the merged certificate is the one a single-machine run gives");

        // A finished campaign is a no-op.
        var again = Processes.Mlac(_work.Path, Limit, submit);
        again.Code.Should().Be(0, again.Output);
        again.Output.Should().Contain("nothing to submit");
        output.WriteLine($"total: {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>Cancels the first array task of the campaign seen RUNNING (as a pre-emption or a node loss would) and returns its shard.</summary>
    private static int KillFirstRunningTask(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var (_, queue) = Processes.Run("squeue", ["--noheader", "--array", "--name=mlac-certify", "--format=%i %T"], "/", TimeSpan.FromSeconds(30));
            var running = queue.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split(' ')).FirstOrDefault(p => p.Length == 2 && p[1] == "RUNNING" && p[0].Contains('_'));
            if (running is not null)
            {
                var (code, text) = Processes.Run("scancel", [running[0]], "/", TimeSpan.FromSeconds(30));
                code.Should().Be(0, text);
                return int.Parse(running[0].Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException("no array task started running within " + limit);
    }
}
