using System.Globalization;
using System.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Scheduling;

/// <summary>
/// The two batch scripts of a campaign. The array script runs shard <c>$SLURM_ARRAY_TASK_ID</c> of N; the merge script
/// joins all N shard folders. Which shards run and what the merge waits for are sbatch arguments
/// (<see cref="ArraySubmitArguments"/>, <see cref="MergeSubmitArguments"/>), so the scripts stay the same across
/// resubmissions.
/// </summary>
public static class SlurmScripts
{
    public static string ArrayScript(ShardCampaign campaign, SlurmResources resources)
    {
        var taskOnly = new List<string>();
        if (resources.GpusPerTask > 0) taskOnly.Add($"--gpus-per-task={resources.GpusPerTask.ToString(CultureInfo.InvariantCulture)}");
        taskOnly.Add("--requeue");
        var script = Start(campaign, resources, "One Slurm array task per shard: task i runs `mlac certify --shard i/N` into shards/shard-i.",
            "Finished runs inside a shard survive pre-emption (--requeue) and are not redone; a finished shard is a no-op.",
            resources.JobName, $"{campaign.LogFolder}/shard-%a.log", resources.CpusPerTask, taskOnly);
        script.Append("# N is the campaign's, not $SLURM_ARRAY_TASK_COUNT: a resubmission of only the unfinished shards is a smaller array\n");
        script.Append("# whose task ids keep their shard numbers.\n");
        script.Append("shard_count=").Append(campaign.ShardCount.ToString(CultureInfo.InvariantCulture)).Append('\n');
        script.Append("shard=\"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch --array}\"\n");
        script.Append("echo \"[$(date -u +%FT%TZ)] shard ${shard}/${shard_count} on $(hostname) (job ${SLURM_JOB_ID:-?}, attempt ${SLURM_RESTART_COUNT:-0})\"\n");
        var arguments = new List<string>(campaign.Record.MlacCommand) { "certify" };
        arguments.AddRange(campaign.Record.CertifyArguments);
        script.Append("exec ").Append(ShellQuoting.Join(arguments))
            .Append(" --shard \"${shard}/${shard_count}\" --out ").Append(ShellQuoting.Quote(campaign.ShardsFolder)).Append("/\"shard-${shard}\"");
        if (!campaign.Record.CertifyArguments.Contains("--threads-per-worker"))
            script.Append(" --threads-per-worker \"${SLURM_CPUS_PER_TASK:-1}\"");
        script.Append(" --no-progress\n");
        return script.ToString();
    }

    public static string MergeScript(ShardCampaign campaign, SlurmResources resources)
    {
        var script = Start(campaign, resources, "Joins the N shard folders into certificate.json and report/ (runs after every array task succeeded).",
            "`mlac merge` refuses an incomplete set and names the missing shards.", $"{resources.JobName}-merge", campaign.MergeLog, 1, []);
        script.Append("echo \"[$(date -u +%FT%TZ)] merging ").Append(campaign.ShardCount.ToString(CultureInfo.InvariantCulture)).Append(" shards on $(hostname)\"\n");
        var arguments = new List<string>(campaign.Record.MlacCommand) { "merge", "--out", campaign.Root, "--no-progress" };
        script.Append("exec ").Append(ShellQuoting.Join(arguments));
        foreach (var folder in campaign.ShardFolders) script.Append(" \\\n  ").Append(ShellQuoting.Quote(folder));
        script.Append('\n');
        return script.ToString();
    }

    /// <summary>sbatch arguments for the array: which shards (with the optional throttle) and machine-readable output.</summary>
    public static IReadOnlyList<string> ArraySubmitArguments(ShardCampaign campaign, IReadOnlyCollection<int> shards, SlurmResources resources) =>
        ["--parsable", "--array=" + ArrayRanges.Format(shards) + (resources.MaxParallel is { } k ? "%" + k.ToString(CultureInfo.InvariantCulture) : ""), campaign.ArrayScriptPath];

    /// <summary>
    /// sbatch arguments for the merge: after every array task succeeded; if one fails, Slurm cancels the merge at once
    /// (--kill-on-invalid-dep) rather than leaving it pending forever.
    /// </summary>
    public static IReadOnlyList<string> MergeSubmitArguments(ShardCampaign campaign, string? arrayJob) =>
        arrayJob is null
            ? ["--parsable", campaign.MergeScriptPath]
            : ["--parsable", "--dependency=afterok:" + arrayJob, "--kill-on-invalid-dep=yes", campaign.MergeScriptPath];

    /// <summary>Header comment and the directives both scripts share (log, folder, one task, partition, time, memory,
    /// the user's extra lines), with each script's own in between, up to "set -euo pipefail".</summary>
    private static StringBuilder Start(ShardCampaign campaign, SlurmResources resources, string what, string note, string jobName, string output,
        int cpus, IEnumerable<string> own)
    {
        var script = new StringBuilder()
            .Append("#!/usr/bin/env bash\n")
            .Append("# Written by `mlac slurm submit`; rerun that command to resubmit unfinished shards. ").Append(what).Append('\n')
            .Append("# ").Append(note).Append('\n');
        Directive(script, $"--job-name={jobName}");
        Directive(script, $"--output={output}");
        Directive(script, "--open-mode=append");
        Directive(script, $"--chdir={campaign.Record.WorkingDirectory}");
        Directive(script, "--ntasks=1");
        Directive(script, $"--cpus-per-task={cpus.ToString(CultureInfo.InvariantCulture)}");
        foreach (var option in own) Directive(script, option);
        if (resources.Partition is not null) Directive(script, $"--partition={resources.Partition}");
        if (resources.TimeLimit is not null) Directive(script, $"--time={resources.TimeLimit}");
        if (resources.Memory is not null) Directive(script, $"--mem={resources.Memory}");
        foreach (var line in resources.ExtraLines) script.Append(SlurmResources.SbatchLine(line)).Append('\n');
        script.Append("set -euo pipefail\n");
        return script;
    }

    private static void Directive(StringBuilder script, string option)
    {
        // #SBATCH lines are not parsed by a shell: a value with a space would end the directive, so refuse it.
        if (option.Any(char.IsWhiteSpace) || option.Any(char.IsControl))
            throw new MlacInputException($"'{option}': an #SBATCH directive cannot hold whitespace (a path with spaces cannot be used for Slurm's --output/--chdir)");
        script.Append("#SBATCH ").Append(option).Append('\n');
    }
}
