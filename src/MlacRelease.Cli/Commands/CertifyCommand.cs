using System.CommandLine;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Policies;
using MlacRelease.Cli.Console;
using MlacRelease.Cli.Inputs;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Devices;
using MlacRelease.Core.Model;

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
        var policy = new Option<string?>("--policy") { Description = "Policy YAML; its verdict is written into the certificate" };
        var output = new Option<string>("--out") { Description = "Output folder: certificate.json, report/ and resumable per-run results", Required = true };
        var shard = new Option<string?>("--shard") { Description = "Run only shard i/N (1-based) of the battery; join shards with mlac merge" };
        var workers = new Option<int>("--workers") { Description = "Parallel workers on this machine", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads-per-worker") { Description = "Intra-op threads per worker", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var maxLength = new Option<int?>("--max-length") { Description = "Tokens per example (default: the battery's max_length; any other value is refused)" };
        var workerIndex = new Option<int?>("--worker-index") { Description = "Internal: run as worker process N of a parallel certification", Hidden = true };
        var (device, seed, json, noProgress) = (SharedOptions.Device(), SharedOptions.Seed(), SharedOptions.Json(), SharedOptions.NoProgress());
        var (textField, desiredField, harmfulField) = (SharedOptions.TextField(), SharedOptions.DesiredField(), SharedOptions.HarmfulField());
        var command = new Command("certify", """
            Run a battery of fine-tuning attacks against the model, the pretrained original and a random-init twin;
            score blocking strength per attack family and attacker data size; write certificate.json (bound to the
            exact weights by digest) and a Markdown report with plots. Finished runs are kept on disk: after a crash
            or Ctrl-C, the same command resumes.

            Examples:
              mlac certify --model run/ --battery quick --out cert/
              mlac certify --model run/ --battery standard --out cert/shard-3 --shard 3/16     # one slice, any scheduler
              mlac merge --out cert/ cert/shard-*                                               # the same certificate
            """)
        { model, pretrained, data, battery, policy, output, shard, workers, threads, maxLength, workerIndex, device, seed, json, noProgress, textField, desiredField, harmfulField };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(async token =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            var shardSpec = result.GetValue(shard) is { } s ? ShardSpec.Parse(s) : null;
            var resolved = BatteryPresets.Resolve(result.GetValue(battery)!);
            var outcome = await Certify(mode, result.GetValue(model)!, result.GetValue(pretrained), result.GetValue(data)!,
                SharedOptions.Schema(result, textField, desiredField, harmfulField), resolved,
                result.GetValue(battery)!, result.GetValue(policy),
                result.GetValue(output)!, shardSpec, result.GetValue(workers), result.GetValue(threads), result.GetValue(maxLength) ?? resolved.MaxLength,
                result.GetValue(device)!, result.GetValue(seed), token, result.GetValue(workerIndex));
            return outcome;
        }, cancellation));
        return command;
    }

    public static async Task<int> Certify(OutputMode mode, string modelSpec, string? pretrainedSpec, string dataSpec, DatasetSchema schema,
        Battery battery, string batterySpec, string? policyPath, string output, ShardSpec? shard, int workers, int threads, int maxLength, string deviceSpec,
        ulong seed, CancellationToken cancellation, int? workerIndex = null)
    {
        var device = DeviceSelector.Resolve(deviceSpec);
        var policy = policyPath is null ? null : PolicyParser.Load(policyPath);
        var (weights, vocabulary, description) = ModelSource.Load(modelSpec);
        using (weights)
        {
            var reference = pretrainedSpec ?? $"builtin:minilm:{weights.Config.NumHiddenLayers}";
            var (original, _, originalDescription) = ModelSource.Load(reference);
            using (original)
            {
                if (original.Config != weights.Config)
                    mode.Info($"note: the pretrained reference ({originalDescription}) has another configuration than the model; the random-init twin follows the model");
                var dataset = DataSource.Load(dataSpec, schema);
                var tokenizer = new BertTextTokenizer(vocabulary, new TokenizerSettings { MaxLength = maxLength });
                var data = CertificationData.FromDataset(dataset, tokenizer, seed, maxLength, desiredExamples: 400);
                var request = new CertificationRequest
                {
                    Model = weights, Pretrained = original, Data = data, Battery = battery, Policy = policy, OutputDirectory = output,
                    ModelFileDigest = File.Exists(modelSpec) ? FileDigest.Sha256(modelSpec) : null,
                    Workers = workers, ThreadsPerWorker = threads, Device = device,
                    WorkerLauncher = workers > 1 ? new ProcessWorkerLauncher(SelfAsWorker) : null,
                };
                if (workerIndex is not null) return await WorkerHost.RunAsync(request, shard, null, cancellation);
                mode.Info($"certifying {description} against {originalDescription} and a random-init twin | battery {batterySpec} | data {dataSpec} " +
                          $"(attacker-train {data.AttackerTrain.Count}, tune {data.AttackerTune.Count}, test {data.Test.Count}) | {workers} worker(s)" +
                          (shard is null ? "" : $" | shard {shard}"));
                var display = new CertificationDisplay(mode);
                if (shard is not null)
                {
                    var part = await display.RunAsync(p => ShardRunner.RunAsync(request, shard, p, cancellation));
                    mode.Info($"shard {shard} done: {part.ComputedRuns} runs computed, {part.ResumedRuns} resumed, in {part.Elapsed:hh\\:mm\\:ss} → {part.Folder}");
                    if (mode.Json) OutputMode.WriteJson(new { shard = shard.ToString(), folder = part.Folder, computed = part.ComputedRuns, resumed = part.ResumedRuns });
                    return ExitCodes.Success;
                }
                var certified = await display.RunAsync(p => Certifier.RunAsync(request, p, cancellation));
                return Finish(mode, certified);
            }
        }
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
        mode.Info($"certificate: {certified.CertificatePath}; report: {certified.ReportPath}; {certified.ComputedRuns} runs computed, {certified.ResumedRuns} resumed, {certified.Elapsed:hh\\:mm\\:ss}");
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
            try
            {
                return Task.FromResult(Finish(mode, ShardMerger.MergeInto(result.GetValue(shards)!, result.GetValue(output)!)));
            }
            catch (IncompleteShardSetException e)
            {
                throw new CliException(e.Message, ExitCodes.CheckFailed);
            }
        }, cancellation));
        return command;
    }
}
