using System.CommandLine;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Costing;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Policies;
using MlacRelease.Cli.Terminal;
using MlacRelease.Core.Data;
using MlacRelease.Core.Devices;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac certify</c> and <c>mlac merge</c>: the attack battery, its certificate and report.</summary>
public static class CertifyCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model(ModelSource.Default);
        var pretrained = new Option<string?>("--pretrained") { Description = "The pretrained original to compare against (default: the built-in MiniLM with the model's layer count)" };
        var data = SharedOptions.Data(DataSource.Default);
        var battery = new Option<string>("--battery") { Description = $"Preset ({string.Join(" | ", BatteryPresets.Names)}) or a battery YAML file", DefaultValueFactory = _ => "quick" };
        var head = new Option<string?>("--head") { Description = "heads.safetensors with the head the model will be released with, as for mlac export (default: the one beside the model, if any); the certificate records its digest and the gate requires it" };
        var policy = new Option<string?>("--policy") { Description = "Policy YAML; its verdict is written into the certificate" };
        var output = new Option<string>("--out") { Description = "Output folder: certificate.json, report/ and resumable per-run results", Required = true };
        var shard = new Option<ShardSpec?>("--shard")
        {
            Description = "Run only shard i/N (1-based) of the battery; join shards with mlac merge", CustomParser = r => SharedOptions.Parsed(r, ShardSpec.Parse),
        };
        var workers = new Option<int>("--workers") { Description = "Parallel workers on this machine", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads-per-worker") { Description = "Intra-op threads per worker", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var maxLength = new Option<int?>("--max-length") { Description = "Tokens per example (default: the battery's max_length; any other value is refused)" };
        var seed = new Option<ulong?>("--seed") { Description = $"Split seed (default: the one mlac train recorded in the model folder's {SplitRecord.FileName}, else 0; another value than the recorded one is refused)" };
        var cache = SharedOptions.BaselineCache("turns the cache off: every arm is computed");
        var plan = new Option<bool>("--plan") { Description = "Prepare everything (model, data, split, battery checks) and print the plan of this run or shard: units, runs and estimated cost per family; run nothing" };
        var costSample = new Option<int?>("--cost-sample")
        {
            Description = "Measure instead of certify: run K first-rung search runs per attack family of the model arm (each exactly as the " +
                          "certification runs it), one evaluation pass and one retention unit; price the whole battery from them (CPU-hours with and " +
                          $"without cached baselines, a {CostExtrapolation.DefaultNodes}-node Slurm array) and write {CostReport.FileName} to --out",
        };
        var workerIndex = new Option<int?>("--worker-index") { Description = "Internal: run as worker process N of a parallel certification", Hidden = true };
        var (device, json, noProgress) = (SharedOptions.Device(), SharedOptions.Json(), SharedOptions.NoProgress());
        var (textField, desiredField, harmfulField) = (SharedOptions.TextField(), SharedOptions.DesiredField(), SharedOptions.HarmfulField());
        var command = new Command("certify", """
            Run a battery of fine-tuning attacks against the model, the pretrained original and a random-init twin;
            score blocking strength per attack family and attacker data size; write certificate.json (bound to the
            exact weights by digest) and a Markdown report with plots. Finished runs are kept on disk: after a crash
            or Ctrl-C, the same command resumes. The data is split as mlac train split it (split.json beside the
            model). The pretrained and random-init arms are the same for every model certified on the same battery
            and data: they are stored in the baseline cache and reused.

            Examples:
              mlac certify --model run/ --battery quick --out cert/
              mlac certify --model run/ --battery standard --out cert/ --plan                   # what it would run, and its cost
              mlac certify --model run/ --battery standard --out cert/shard-3 --shard 3/16     # one slice, any scheduler
              mlac merge --out cert/ cert/shard-*                                               # the same certificate
              mlac certify --model run/ --battery standard --out cost/ --cost-sample 2 --threads-per-worker 1   # what it costs, measured
            """)
        { model, pretrained, data, battery, head, policy, output, shard, workers, threads, maxLength, seed, cache, plan, costSample, workerIndex, device, json, noProgress, textField, desiredField, harmfulField };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(async token =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            var inputs = new CertificationInputs
            {
                Model = result.GetValue(model)!, Pretrained = result.GetValue(pretrained), Data = result.GetValue(data)!,
                Schema = SharedOptions.Schema(result, textField, desiredField, harmfulField), Battery = BatteryPresets.Resolve(result.GetValue(battery)!),
                SplitSeed = result.GetValue(seed), MaxLength = result.GetValue(maxLength), HeadPath = result.GetValue(head),
            };
            var settings = new CertifySettings(result.GetValue(battery)!, result.GetValue(policy), result.GetValue(output)!, result.GetValue(shard), result.GetValue(workers),
                result.GetValue(threads), result.GetValue(device)!, SharedOptions.BaselineCacheFolder(result, cache), result.GetValue(plan), result.GetValue(workerIndex))
            {
                CostSample = result.GetValue(costSample),
            };
            return await Certify(mode, inputs, settings, token);
        }, cancellation));
        return command;
    }

    /// <summary>How to run a certification, as opposed to what to certify (<see cref="CertificationInputs"/>).</summary>
    public sealed record CertifySettings(string BatteryName, string? PolicyPath, string Output, ShardSpec? Shard, int Workers, int Threads, string Device,
        string? BaselineCache, bool PlanOnly = false, int? WorkerIndex = null)
    {
        /// <summary>Runs per family of a cost sample (<see cref="CostSampler"/>) to take instead of certifying; null certifies.</summary>
        public int? CostSample { get; init; }
    }

    public static async Task<int> Certify(OutputMode mode, CertificationInputs inputs, CertifySettings settings, CancellationToken cancellation)
    {
        var policy = settings.PolicyPath is null ? null : PolicyParser.Load(settings.PolicyPath);
        using var prepared = CertificationLoader.Load(inputs);
        var request = prepared.Request(inputs.Battery, settings.Output) with
        {
            Policy = policy, Workers = settings.Workers, ThreadsPerWorker = settings.Threads, Device = DeviceSelector.Resolve(settings.Device),
            BaselineCache = settings.BaselineCache,
            WorkerLauncher = settings.Workers > 1 ? new ProcessWorkerLauncher(SelfAsWorker) : null,
        };
        var shard = settings.Shard;
        if (settings.WorkerIndex is not null) return await WorkerHost.RunAsync(request, shard, null, cancellation);
        foreach (var note in prepared.Notes) mode.Info("note: " + note);
        var data = prepared.Data;
        mode.Info($"certifying {prepared.ModelDescription} against {prepared.PretrainedDescription} and a random-init twin | battery {settings.BatteryName} | data {inputs.Data} " +
                  $"(attacker-train {data.AttackerTrain.Count}, tune {data.AttackerTune.Count}, test {data.Test.Count}, desired {data.DesiredTrain.Count}; split seed {data.SplitSeed}) | " +
                  $"{settings.Workers} worker(s) | baseline cache {settings.BaselineCache ?? "off"}" + (shard is null ? "" : $" | shard {shard}"));
        if (settings.PlanOnly && settings.CostSample is not null) throw new CliException("--plan runs nothing and --cost-sample runs a sample: give one of them");
        if (settings.PlanOnly) return PrintPlan(mode, CertificationPlanner.Plan(request, shard));
        if (settings.CostSample is { } perFamily)
        {
            if (shard is not null || settings.Workers != 1) throw new CliException("--cost-sample runs in one process: leave out --shard and --workers");
            // Priced as `--workers N --threads-per-worker 1` runs: one thread per worker is the cheapest per CPU-second.
            if (request.ThreadsPerWorker != 1) mode.Info($"note: --cost-sample measures at one thread per worker (not {request.ThreadsPerWorker})");
            return CostSampleOutput.Print(mode, CostSampler.Run(request with { ThreadsPerWorker = 1 }, perFamily, new LineProgress(mode), cancellation), settings.Output);
        }
        var display = new CertificationDisplay(mode);
        if (shard is not null)
        {
            var part = await display.RunAsync(p => ShardRunner.RunAsync(request, shard, p, cancellation));
            mode.Info($"shard {shard} done: {part.ComputedRuns} runs computed, {part.ResumedRuns} resumed, {part.CachedUnits} units from the baseline cache, " +
                      $"in {ClockText.Format(part.Elapsed)} → {part.Folder}");
            if (mode.Json) OutputMode.WriteJson(new { shard = shard.ToString(), folder = part.Folder, computed = part.ComputedRuns, resumed = part.ResumedRuns, cached_units = part.CachedUnits });
            return ExitCodes.Success;
        }
        var certified = await display.RunAsync(p => Certifier.RunAsync(request, p, cancellation));
        return Finish(mode, certified);
    }

    private static int PrintPlan(OutputMode mode, CertificationPlan plan)
    {
        mode.Info($"plan: shard {plan.Shard}: {plan.Units.Count} of {plan.TotalUnits} units, {plan.Runs} fine-tuning runs, " +
                  $"{plan.TokenPasses:E2} estimated token passes; {plan.CachedUnits} reference units already in the baseline cache | identity {plan.Identity}");
        foreach (var row in plan.Rows)
            mode.Info($"  {WorkUnit.TargetName(row.Target),-12} {row.Family,-20} {row.Units,4} units {row.Runs,6} runs {row.TokenPasses,12:E2} token passes");
        if (mode.Json)
        {
            OutputMode.WriteJson(new
            {
                identity = plan.Identity, shard = plan.Shard.ToString(), units = plan.Units.Count, total_units = plan.TotalUnits, runs = plan.Runs,
                token_passes = plan.TokenPasses, cached_units = plan.CachedUnits,
                rows = plan.Rows.Select(r => new { target = WorkUnit.TargetName(r.Target), family = r.Family, units = r.Units, runs = r.Runs, token_passes = r.TokenPasses }),
                unit_list = plan.Units.Select(u => new { id = u.Id, family = CertificationPlanner.FamilyName(u), runs = u.Runs, token_passes = u.Cost }),
            });
        }
        return ExitCodes.Success;
    }

    /// <summary>This same command line, as worker process <paramref name="index"/> of a parallel certification.</summary>
    private static System.Diagnostics.ProcessStartInfo SelfAsWorker(int index)
    {
        var command = ToolInvocation.Command();
        var start = new System.Diagnostics.ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var a in command.Skip(1).Concat(Environment.GetCommandLineArgs().Skip(1))) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--worker-index");
        start.ArgumentList.Add(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--no-progress");
        return start;
    }

    public static int Finish(OutputMode mode, CertificationResult certified)
    {
        CertificationDisplay.PrintHeadline(mode, certified.Certificate);
        mode.Info($"certificate: {certified.CertificatePath}; report: {certified.ReportPath}; {certified.ComputedRuns} runs computed, {certified.ResumedRuns} resumed, " +
                  $"{certified.CachedUnits} units from the baseline cache, {ClockText.Format(certified.Elapsed)}");
        if (mode.Json) OutputMode.WriteJson(new { certificate = certified.CertificatePath, report = certified.ReportPath, verdict = certified.Certificate.Verdict?.Passed, worst_case = certified.Certificate.WorstCase });
        return certified.Certificate.Verdict is { Passed: false } ? ExitCodes.CheckFailed : ExitCodes.Success;
    }

    public static Command Merge()
    {
        var output = new Option<string>("--out") { Description = "Where to write the merged certificate.json and report/", Required = true };
        var shards = new Argument<string[]>("shards") { Description = "Shard output folders (all N of them)", Arity = ArgumentArity.OneOrMore };
        var (json, noProgress) = (SharedOptions.Json(), SharedOptions.NoProgress());
        var command = new Command("merge", """
            Join the folders of a sharded certification (mlac certify --shard i/N) into the certificate one unsharded
            run gives. Refuses an incomplete set and names the missing shards.

            Example:
              mlac merge --out cert/ cert/shard-1 cert/shard-2 cert/shard-3 cert/shard-4
            """) { output, shards, json, noProgress };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            // An incomplete shard set is an MlacCheckFailedException: exit 1, naming the shards to rerun.
            return Task.FromResult(Finish(mode, ShardMerger.MergeInto(result.GetValue(shards)!, result.GetValue(output)!)));
        }, cancellation));
        return command;
    }
}
