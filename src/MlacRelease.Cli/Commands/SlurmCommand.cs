using System.CommandLine;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Policies;
using MlacRelease.Certification.Scheduling;
using MlacRelease.Cli.Terminal;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac slurm submit | status</c>: a sharded certification as a Slurm array job plus a dependent merge.</summary>
public static class SlurmCommand
{
    /// <summary>Options the campaign sets for each shard itself; forwarding them would break the layout.</summary>
    private static readonly string[] Reserved = ["--out", "--shard", "--worker-index", "--json"];

    public static Command Create()
    {
        var command = new Command("slurm", """
            Run a certification on a Slurm cluster: one array task per shard (mlac certify --shard i/N) writing into a
            shared folder, then a dependent job (afterok) that merges the shards into the certificate a single-machine
            run gives. See release-checks/distributed/README.md for Slurm and Kubernetes.
            """);
        command.Subcommands.Add(Submit());
        command.Subcommands.Add(Status());
        return command;
    }

    private static Command Submit()
    {
        var output = new Option<string>("--out") { Description = "Shared campaign folder (visible from every node): shards/, slurm/ (scripts, logs), certificate.json", Required = true };
        var shards = new Option<int>("--shards") { Description = "Number of shards N (array tasks); fixed for the campaign", Required = true };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (default: the cluster's default partition)" };
        var time = new Option<string?>("--time") { Description = "Time limit per task, in Slurm's format (e.g. 02:00:00)" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "CPUs per array task (also the shard's intra-op threads)", DefaultValueFactory = _ => 1 };
        var gpus = new Option<int>("--gpus-per-task") { Description = "GPUs per array task (pass --device cuda to certify as well)", DefaultValueFactory = _ => 0 };
        var memory = new Option<string?>("--mem") { Description = "Memory per task in Slurm's format (e.g. 8G)" };
        var maxParallel = new Option<int?>("--max-parallel") { Description = "Run at most this many shards at once (the array's %k throttle)" };
        var extra = new Option<string[]>("--sbatch-line") { Description = "Extra sbatch option for both scripts, e.g. --sbatch-line=--account=ml (repeatable)", AllowMultipleArgumentsPerToken = false };
        var mlacCommand = new Option<string?>("--mlac-command") { Description = "How compute nodes start mlac, as words separated by spaces (default: this very tool)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the two scripts and the sbatch commands; submit and write nothing" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the jobs, report failed shards by name, resubmit up to --retries times, print the headline" };
        var retries = new Option<int>("--retries") { Description = "With --wait: resubmit failed shards this many times before giving up", DefaultValueFactory = _ => 0 };
        var poll = new Option<double>("--poll") { Description = "With --wait: seconds between squeue polls", DefaultValueFactory = _ => 15 };
        var certifyArguments = new Argument<string[]>("certify-options") { Description = "Options for mlac certify, after --  (--model, --data, --battery, --policy, --seed, …)", Arity = ArgumentArity.ZeroOrMore };
        var (json, noProgress) = (SharedOptions.Json(), SharedOptions.NoProgress());
        var command = new Command("submit", """
            Submit a sharded certification: an sbatch --array job with one task per unfinished shard and a merge job that
            runs after all of them succeeded. Rerun the same command to resubmit shards that failed or were cancelled:
            finished shards are never run again. Everything after -- goes to mlac certify on each node.

            Examples:
              mlac slurm submit --out /shared/cert --shards 16 --partition cpu --time 04:00:00 --cpus-per-task 4 \
                  -- --model run/ --battery standard --policy release-checks/policy.yaml
              mlac slurm submit --out /shared/cert --shards 16 --dry-run -- --model run/      # print the scripts only
              mlac slurm submit --out /shared/cert --shards 16 --wait --retries 1 -- --model run/
              mlac slurm status --out /shared/cert
            """)
        { output, shards, partition, time, cpus, gpus, memory, maxParallel, extra, mlacCommand, dryRun, wait, retries, poll, json, noProgress, certifyArguments };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(async token =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            var forwarded = result.GetValue(certifyArguments) ?? [];
            ValidateCertifyArguments(forwarded);
            var resources = new SlurmResources
            {
                Partition = result.GetValue(partition), TimeLimit = result.GetValue(time), CpusPerTask = result.GetValue(cpus),
                GpusPerTask = result.GetValue(gpus), Memory = result.GetValue(memory), MaxParallel = result.GetValue(maxParallel),
                ExtraLines = result.GetValue(extra) ?? [],
            };
            resources.Validate();
            if (result.GetValue(retries) < 0) throw new CliException($"--retries must be 0 or more, got {result.GetValue(retries)}");
            if (result.GetValue(poll) is var seconds && (seconds <= 0 || double.IsNaN(seconds))) throw new CliException($"--poll must be a positive number of seconds, got {seconds}");
            var launcher = result.GetValue(mlacCommand) is { } custom
                ? custom.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : ToolInvocation.Command();
            if (launcher.Length == 0) throw new CliException("--mlac-command is empty");

            var root = Path.GetFullPath(result.GetValue(output)!);
            var campaign = ShardCampaign.OpenOrCreate(root, result.GetValue(shards), forwarded, launcher, Environment.CurrentDirectory);
            if (result.GetValue(dryRun)) return DryRun(mode, campaign, resources);

            var runner = new SlurmCampaignRunner(new SlurmClient());
            var observer = new CampaignObserver(mode, campaign);
            if (!result.GetValue(wait))
            {
                var submission = runner.Submit(campaign, resources);
                if (submission is null)
                {
                    observer.NothingToSubmit();
                    return Finish(mode, campaign, runner.Observe(campaign));
                }
                observer.Submitted(submission);
                mode.Info($"watch it with: mlac slurm status --out {ShellQuoting.Quote(root)}");
                if (mode.Json) OutputMode.WriteJson(new { array_job = submission.ArrayJob, merge_job = submission.MergeJob, shards = submission.Shards, folder = root });
                return ExitCodes.Success;
            }
            try
            {
                var status = await runner.SubmitAndWaitAsync(campaign, resources, result.GetValue(retries), TimeSpan.FromSeconds(result.GetValue(poll)), observer, token);
                return Finish(mode, campaign, status);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested && campaign.LatestSubmission is { } submission)
            {
                mode.Info($"stopped waiting; the jobs keep running (cancel them with scancel {submission.ArrayJob} {submission.MergeJob})");
                throw;
            }
        }, cancellation));
        return command;
    }

    private static Command Status()
    {
        var output = new Option<string>("--out") { Description = "The campaign folder given to mlac slurm submit", Required = true };
        var (json, noProgress) = (SharedOptions.Json(), SharedOptions.NoProgress());
        var command = new Command("status", """
            Show each shard of a Slurm campaign (finished, pending, running, failed with its log) and the merge job.
            Exit code 0 while the campaign is running or complete; 3 when shards failed and nothing is left running.

            Example:
              mlac slurm status --out /shared/cert
            """) { output, json, noProgress };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            var root = result.GetValue(output)!;
            var campaign = ShardCampaign.TryOpen(root) ?? throw new CliException($"{ShardCampaign.RecordPathOf(root)}: no campaign here (start one with mlac slurm submit)");
            var status = new SlurmCampaignRunner(new SlurmClient()).Observe(campaign);
            foreach (var shard in status.Shards)
                mode.Info($"shard {shard.Name,-7} {shard.State.ToString().ToLowerInvariant(),-8} {(shard.State == ShardState.Failed ? CampaignStatus.LastLogLine(shard.Log) + " | log: " + shard.Log : "")}".TrimEnd());
            mode.Info($"merge: {status.MergeState ?? (status.CertificateWritten ? "done" : "not running")} | {status.Finished}/{status.Shards.Count} shards finished" +
                      (status.CertificateWritten ? $" | certificate: {campaign.CertificatePath}" : ""));
            if (mode.Json) OutputMode.WriteJson(StatusJson(campaign, status));
            return Task.FromResult(!status.Active && !status.Complete && status.Failed.Count > 0 ? ExitCodes.RuntimeFailure : ExitCodes.Success);
        }, cancellation));
        return command;
    }

    private static int Finish(OutputMode mode, ShardCampaign campaign, CampaignStatus status)
    {
        if (mode.Json) OutputMode.WriteJson(StatusJson(campaign, status));
        if (status.Complete)
        {
            var certificate = CertificateSerializer.Read(campaign.CertificatePath);
            CertificationDisplay.PrintHeadline(mode, certificate);
            mode.Info($"certificate: {campaign.CertificatePath}; report: {Path.Combine(campaign.Root, Certifier.ReportFolderName)}");
            return certificate.Verdict is { Passed: false } ? ExitCodes.CheckFailed : ExitCodes.Success;
        }
        if (status.Failed.Count > 0)
        {
            ReportFailures(mode, status);
            throw new CliException($"{status.Failed.Count} of {status.Shards.Count} shard(s) failed: {string.Join(", ", status.Failed.Select(s => s.Name))}; " +
                                   "rerun the same mlac slurm submit command to resubmit exactly those", ExitCodes.RuntimeFailure);
        }
        throw new CliException($"every shard finished but the merge job wrote no certificate; see {campaign.MergeLog} " +
                               $"(last line: {CampaignStatus.LastLogLine(campaign.MergeLog)}); rerun the same command to resubmit the merge", ExitCodes.RuntimeFailure);
    }

    private static void ReportFailures(OutputMode mode, CampaignStatus status)
    {
        foreach (var shard in status.Failed)
            mode.Info($"shard {shard.Name} failed (cancelled, pre-empted, timed out or crashed): {CampaignStatus.LastLogLine(shard.Log)} | log: {shard.Log}");
    }

    private static object StatusJson(ShardCampaign campaign, CampaignStatus status) => new
    {
        folder = campaign.Root,
        complete = status.Complete,
        certificate = status.CertificateWritten ? campaign.CertificatePath : null,
        merge = status.MergeState,
        shards = status.Shards.Select(s => new { shard = s.Name, state = s.State.ToString().ToLowerInvariant(), log = s.Log }),
        failed = status.Failed.Select(s => s.Name),
    };

    private static int DryRun(OutputMode mode, ShardCampaign campaign, SlurmResources resources)
    {
        var shards = campaign.UnfinishedShards();
        var array = SlurmScripts.ArrayScript(campaign, resources);
        var merge = SlurmScripts.MergeScript(campaign, resources);
        var arraySubmit = shards.Count > 0 ? "sbatch " + ShellQuoting.Join(SlurmScripts.ArraySubmitArguments(campaign, shards, resources)) : null;
        var mergeSubmit = "sbatch " + ShellQuoting.Join(SlurmScripts.MergeSubmitArguments(campaign, shards.Count > 0 ? "<array job id>" : null));
        if (mode.Json)
        {
            OutputMode.WriteJson(new { array_script = array, merge_script = merge, array_submit = arraySubmit, merge_submit = mergeSubmit, shards });
            return ExitCodes.Success;
        }
        System.Console.WriteLine($"# {campaign.ArrayScriptPath}\n{array}\n# {campaign.MergeScriptPath}\n{merge}");
        System.Console.WriteLine("# dry run: nothing written or submitted; submit would run:");
        if (arraySubmit is not null) System.Console.WriteLine(arraySubmit);
        System.Console.WriteLine(mergeSubmit);
        return ExitCodes.Success;
    }

    /// <summary>Refuses forwarded options that the campaign owns and checks the rest with certify's own parser and files.</summary>
    private static void ValidateCertifyArguments(IReadOnlyList<string> arguments)
    {
        foreach (var reserved in Reserved)
        {
            if (arguments.Any(a => a == reserved || a.StartsWith(reserved + "=", StringComparison.Ordinal)))
                throw new CliException($"{reserved} after --: the campaign sets it for each shard (use mlac slurm submit --out for the folder)");
        }
        var parse = OptionRules.Apply(CertifyCommand.Create()).Parse([.. arguments, "--out", "placeholder"]);
        if (parse.Errors.Count > 0)
            throw new CliException("certify options after --: " + string.Join("; ", parse.Errors.Select(e => e.Message)));
        // Fail on the login node, not in a thousand array tasks: the battery and policy files must parse here.
        BatteryPresets.Resolve(parse.GetValue<string>("--battery")!);
        if (parse.GetValue<string?>("--policy") is { } policy) PolicyParser.Load(policy);
        foreach (var name in new[] { "--model", "--pretrained", "--data" })
        {
            if (parse.GetValue<string?>(name) is { } spec && !spec.StartsWith("builtin:", StringComparison.Ordinal) && !File.Exists(spec) && !Directory.Exists(spec))
                throw new CliException($"{name} {spec}: no such file or folder");
        }
    }

    /// <summary>Prints what the campaign runner does: each submission, each resubmission with the failed shards named,
    /// and one progress line whenever the counts change, with an ETA from the shards finished so far.</summary>
    private sealed class CampaignObserver(OutputMode mode, ShardCampaign campaign) : ICampaignObserver
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private int? _firstFinished;
        private string _last = "";

        public void NothingToSubmit() =>
            mode.Info($"nothing to submit: all {campaign.ShardCount} shards finished and {campaign.CertificatePath} exists");

        public void Submitted(CampaignSubmission submission)
        {
            mode.Info(submission.ArrayJob is null
                ? $"submitted merge job {submission.MergeJob} (every shard had already finished)"
                : $"submitted array job {submission.ArrayJob} ({submission.Shards.Count} of {campaign.ShardCount} shards: {ArrayRanges.Format(submission.Shards)}) " +
                  $"and merge job {submission.MergeJob} (afterok) | logs: {campaign.LogFolder}");
            // Progress and its ETA are per submission: the shards that finished before it are not its work.
            _clock.Restart();
            _firstFinished = null;
            _last = "";
        }

        public void Resubmitting(CampaignStatus status, int retry, int retries)
        {
            ReportFailures(mode, status);
            mode.Info($"resubmitting {status.Failed.Count} shard(s) (retry {retry} of {retries})");
        }

        public void Report(CampaignStatus value)
        {
            _firstFinished ??= value.Finished;
            var running = value.Shards.Count(s => s.State == ShardState.Running);
            var pending = value.Shards.Count(s => s.State == ShardState.Pending);
            var line = $"shards {value.Finished}/{campaign.ShardCount} finished, {running} running, {pending} pending, {value.Failed.Count} failed | merge: {value.MergeState ?? (value.CertificateWritten ? "done" : "-")}";
            if (line == _last) return;
            _last = line;
            var doneHere = value.Finished - _firstFinished.Value;
            var left = campaign.ShardCount - value.Finished;
            var eta = doneHere > 0 && left > 0 ? $", ETA {ClockText.Format(TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / doneHere * left))}" : "";
            mode.Info($"{line} | {ClockText.Format(_clock.Elapsed)} elapsed{eta}");
        }
    }
}
