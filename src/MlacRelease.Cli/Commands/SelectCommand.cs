using System.CommandLine;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Selection;
using MlacRelease.Cli.Terminal;
using MlacRelease.Cli.Inputs;
using MlacRelease.Common.IO;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Selection;
using MlacRelease.Core.Weights;
using MlacRelease.Training.Trainer;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac select</c>: release the training candidate that real attacks on attacker-tune data break least.</summary>
public static class SelectCommand
{
    public const string DefaultBattery = "validation";

    /// <summary>Where in the run folder selection keeps its validation certifications.</summary>
    private const string SelectionFolder = "selection";

    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Training output folder holding candidates/ (mlac train --select-every N)", Required = true };
        var pretrained = new Option<string?>("--pretrained") { Description = "The pretrained original (default: the built-in MiniLM with the model's layer count)" };
        var data = SharedOptions.Data(DataSource.Default);
        var battery = new Option<string>("--battery") { Description = "Validation battery: a preset or a YAML file", DefaultValueFactory = _ => DefaultBattery };
        var seed = new Option<ulong?>("--seed") { Description = "Split seed (default: the training run's, from its split.json; another one is refused)" };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var cache = SharedOptions.BaselineCache(
            $"keeps one in the run folder, under {Path.Combine(SelectionFolder, CheckpointSelector.LocalCacheFolder)}, so only this run's candidates share it");
        var (json, noProgress) = (SharedOptions.Json(), SharedOptions.NoProgress());
        var (textField, desiredField, harmfulField) = (SharedOptions.TextField(), SharedOptions.DesiredField(), SharedOptions.HarmfulField());
        var command = new Command("select", """
            Checkpoint selection by real attacks. Every candidate a training run kept (candidates/step-N, written by
            mlac train --select-every N) is certified with the validation battery on the attacker-tune split only (the
            test split is never touched). The candidate with the best worst-case blocking whose desired-task accuracy
            is within 1 point of the pretrained encoder's, plus one standard error of that difference on the
            validation test examples (100 at builtin:bios:10000), becomes the run's model; selection.json and
            plots/selection.png say why. Resumable: rerun after Ctrl-C. Exit 1 when no candidate is eligible (the
            model is then left as it was).

            Example:
              mlac train --out run/ --steps 300 --select-every 50
              mlac select --run run/ --data builtin:bios:10000     # again, or with another validation battery
            """)
        { run, pretrained, data, battery, seed, threads, cache, json, noProgress, textField, desiredField, harmfulField };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            var folder = result.GetValue(run)!;
            var selection = Select(mode, folder, result.GetValue(pretrained), result.GetValue(data)!,
                SharedOptions.Schema(result, textField, desiredField, harmfulField), result.GetValue(battery)!, result.GetValue(seed), result.GetValue(threads),
                SharedOptions.BaselineCacheFolder(result, cache), token);
            if (mode.Json) OutputMode.WriteJson(selection);
            return Task.FromResult(selection.ChosenStep is null ? ExitCodes.CheckFailed : ExitCodes.Success);
        }, cancellation));
        return command;
    }

    public static SelectionResult Select(OutputMode mode, string runFolder, string? pretrainedSpec, string dataSpec, DatasetSchema schema,
        string batterySpec, ulong? seed, int threads, string? baselineCache, CancellationToken cancellation)
    {
        var candidates = CandidateLayout.List(runFolder).Select(c => new SelectionCandidate(c.Step, c.Path)).ToList();
        if (candidates.Count == 0)
            throw new CliException($"{Path.Combine(runFolder, CandidateLayout.Folder)}: no candidates (train with --select-every N to keep some)");
        var battery = BatteryPresets.Resolve(batterySpec);
        // Every candidate of a run shares one configuration and vocabulary; the selector loads each one's weights itself.
        var (config, vocabulary) = HuggingFaceDirectory.ReadDescription(candidates[0].Folder);
        var (original, _, originalDescription) = ModelSource.Load(pretrainedSpec ?? ModelSource.DefaultReferenceFor(config));
        using (original)
        {
            var dataset = DataSource.Load(dataSpec, schema);
            // The training run's own split: the attacker-tune examples selection attacks with were never trained on.
            var (splitSeed, fractions) = SplitChoice.Resolve(SplitRecord.TryRead(runFolder), Path.Combine(runFolder, SplitRecord.FileName), seed, null,
                dataset.Digest, dataSpec);
            var splits = DatasetSplitter.Split(dataset, fractions, splitSeed);
            ValidationData.CheckFits(splits, battery);
            var tokenizer = new BertTextTokenizer(vocabulary, new TokenizerSettings { MaxLength = battery.MaxLength });
            var validation = ValidationData.FromSplits(splits, tokenizer, battery.MaxLength, battery.DesiredExamplesNeeded);
            mode.Info($"selecting among {candidates.Count} candidate(s) of {runFolder} with battery {batterySpec} against {originalDescription} | " +
                      $"attacker-tune split {splits.AttackerTune.Count} → validation train {validation.AttackerTrain.Count}, tune {validation.AttackerTune.Count}, test {validation.Test.Count} (split seed {splitSeed})");
            var selector = new CheckpointSelector(original, validation, battery, threads, baselineCache);
            var output = Path.Combine(runFolder, SelectionFolder);
            var selection = selector.Run(candidates, output, new Progress<string>(mode.Info), cancellation);
            var plots = Directory.CreateDirectory(Path.Combine(runFolder, TrainingRunLayout.PlotsFolderName)).FullName;
            SelectionPlot.Write(selection, plots);
            if (selection.Chosen is { } chosen)
            {
                Promote(candidates.Single(c => c.Step == chosen.Step).Folder, runFolder);
                mode.Info($"released step {chosen.Step}: {selection.Reason}; validation certificate {chosen.CertificatePath}");
            }
            else
            {
                mode.Info($"warning: {selection.Reason}; the model in {runFolder} is unchanged");
            }
            AtomicFile.WriteAllBytes(Path.Combine(runFolder, CheckpointSelector.ResultFile), CanonicalJson.Serialize(selection));
            return selection;
        }
    }

    /// <summary>Copies the candidate's model files over the run's, each atomically; the weights go last, so a crash
    /// in between leaves the old weights with files that describe them as well (config and vocabulary are the same
    /// for every candidate of a run).</summary>
    private static void Promote(string candidate, string runFolder)
    {
        var files = Directory.GetFiles(candidate).OrderBy(f => Path.GetFileName(f) == HuggingFaceDirectory.WeightsFile ? 1 : 0).ToList();
        foreach (var file in files)
            AtomicFile.Write(Path.Combine(runFolder, Path.GetFileName(file)), stream =>
            {
                using var source = File.OpenRead(file);
                source.CopyTo(stream);
            });
    }
}
