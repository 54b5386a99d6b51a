using System.CommandLine;
using System.Globalization;
using MlacRelease.Certification.Execution;
using MlacRelease.Cli.Terminal;
using MlacRelease.Cli.Inputs;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Devices;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using MlacRelease.Training.Trainer;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac train</c>: meta-learned adversarial censoring; writes a Hugging Face folder with the best weights.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model(ModelSource.Default);
        var data = SharedOptions.Data(DataSource.Default);
        var output = new Option<string>("--out") { Description = "Output folder: the trained model (Hugging Face layout), checkpoints/, metrics.jsonl, plots/", Required = true };
        var preset = new Option<string>("--preset")
        {
            Description = "Training preset (objective weights and, for some, the simulated attacker):\n" +
                          string.Join("\n", MlacPresets.Names.Select(n => $"  {n}: {MlacPresets.Describe(n)}")),
            DefaultValueFactory = _ => "mlac",
        };
        // What a preset runs for on the command line (its own steps and K are the paper's, for library callers).
        var budget0 = MlacPresets.WithCommandLineBudget(MlacPresets.Get("mlac"));
        var steps = new Option<int?>("--steps") { Description = $"Outer steps [default: {budget0.Steps}; paper: 50,000]" };
        var innerSteps = new Option<int?>("--inner-steps") { Description = $"K, simulated attacker steps per rollout [default: {budget0.InnerSteps}; paper: 16]" };
        var innerOptimizer = new Option<InnerOptimizerKind?>("--inner-optimizer") { Description = "The fixed simulated attacker's optimiser: Adam | AdamW (weight decay 0.01) | Sgd | SgdMomentum (0.9); --attacker-mix realistic draws it instead" };
        var batch = new Option<int?>("--batch-size") { Description = "Outer batch size (paper: 10–20)" };
        var lr = new Option<double?>("--lr") { Description = "Encoder learning rate (paper 1e-5; reproduction config 1e-4)" };
        var evalEvery = new Option<int?>("--eval-every") { Description = $"Validate (and keep the best checkpoint) every N steps [default: {budget0.EvaluateEvery}]" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = $"Write the resumable latest checkpoint every N steps [default: {budget0.CheckpointEvery}]" };
        var budget = new Option<string?>("--budget") { Description = "Wall-clock budget (e.g. 30m); the run stops cleanly and can be resumed" };
        var maxLength = new Option<int?>("--max-length") { Description = "Tokens per example (truncation)" };
        var firstOrder = new Option<bool>("--first-order") { Description = "Drop second-order terms (faster, weaker attacker simulation)" };
        var dense = new Option<bool>("--dense-embeddings") { Description = "Use the naive dense embedding fast weights (for comparison; same gradients, slower)" };
        var innerBatches = new Option<string?>("--inner-batch-sizes") { Description = "Comma-separated batch sizes the simulated attacker draws from per rollout (paper: 12,24,48)" };
        var headOnly = new Option<double?>("--head-only-probability") { Description = "Probability an inner step updates only the attacker head" };
        var loraRollout = new Option<double?>("--lora-rollouts") { Description = "Probability a rollout's simulated attacker fine-tunes LoRA adapters (rank 8, α 16, attention and FFN) instead of all weights; not in the paper [default: 0]" };
        var loraLr = new Option<string?>("--lora-lr") { Description = "MIN,MAX: range a LoRA rollout draws its learning rate from, log-uniformly [default: 1e-3,5e-3]" };
        var selectEvery = new Option<int?>("--select-every") { Description = "Keep the encoder every N steps under candidates/ and, when training ends, release the one the validation battery's real attacks (on attacker-tune data) break least, within 1 point (plus measurement noise) of the pretrained desired accuracy (see mlac select) [default: off: the best validation loss is released]" };
        var restart = new Option<bool>("--restart") { Description = "Ignore an existing checkpoint in --out and start over" };
        var lambdaHelp = new Dictionary<string, string>
        {
            ["desired"] = "Weight λ_desired (the paper's λ_good; alias --lambda-good) of the outer objective: desired-task cross-entropy",
            ["harmful"] = "Weight λ_harmful (the paper's λ_bad; alias --lambda-bad) of the outer objective: minus the simulated attacker's harmful cross-entropy, mean over steps (max-loss)",
            ["grad"] = "Weight λ_grad of the outer objective: the attacker's inner gradient norm, mean over steps",
            ["lin"] = "Weight λ_lin of the outer objective: minus the attacker's cross-entropy after the best bounded remap of its logits (head adjustment)",
            ["distill"] = "Weight λ_distill of the outer objective: MSE of the last hidden states to the original encoder's",
            ["entropy"] = "Weight λ_entropy (TAR-style, bounded; default 0): minus the attacker's mean prediction entropy on the outer batch after every inner step k = 0..K, weighted ∝ exp(λ_t·(k − K)) (see --entropy-step-decay)",
            ["kl-uniform"] = "Weight λ_kl_uniform (SOPHON-style, bounded by ln C; default 0): KL(attacker's predictions ‖ uniform), mean over steps k = 0..K",
            ["inverse-ce"] = "Weight λ_inverse_ce (SOPHON-style; default 0): −log(1 − p[true class]) of the attacker, mean over steps k = 0..K; ≥ 0, zero when the true class gets no mass",
            ["rep"] = "Weight λ_rep (RepNoise-style, no inner loop; default 0): squared Gaussian-kernel MMD between the harmful classes' mean-pooled hidden states, averaged over layers",
            ["erase"] = "Weight λ_erase (linear erasure, LEACE's criterion, no inner loop; default 0): the harmful classes' squared mean gap (unbiased) in every layer's mean-pooled hidden states over the layer's variance, averaged over layers",
            ["meta-erase"] = "Weight λ_meta_erase (meta-erasure; default 0): the λ_erase gap read from the simulated attacker's adapted encoder after each inner step k ≥ 1 (in a long rollout, at its evaluation points), mean over steps: what the attacker's fine-tuning brings back into the layers",
        };
        var lambdas = MlacLossWeights.Names.ToDictionary(n => n, n => new Option<double?>($"--lambda-{n}") { Description = lambdaHelp[n] });
        foreach (var (name, alias) in MlacLossWeights.PaperAliases) lambdas[name].Aliases.Add($"--lambda-{alias}");
        var entropyDecay = new Option<double?>("--entropy-step-decay") { Description = "λ_t of the entropy term's step weights exp(λ_t·(k − K)), normalised to sum 1; 0 = plain mean over steps [default: 0.0625, TAR's]" };
        var (device, seed, json, noProgress) = (SharedOptions.Device(), SharedOptions.Seed(), SharedOptions.Json(), SharedOptions.NoProgress());
        var splitSeed = new Option<ulong?>("--split-seed")
        {
            Description = "Seed of the data split (defender / attacker / test) [default: --seed]. Runs that differ only in --seed " +
                          "but share --split-seed are certified on the same test examples, and reuse each other's cached baselines",
        };
        var (textField, desiredField, harmfulField) = (SharedOptions.TextField(), SharedOptions.DesiredField(), SharedOptions.HarmfulField());

        var command = new Command("train", """
            Train a self-destructing encoder with MLAC: an inner loop simulates an attacker fine-tuning the encoder on
            the harmful task; the outer loop keeps the desired task and makes that attacker fail. Interrupt with Ctrl-C
            and run the same command again to resume exactly where it stopped.

            Examples:
              mlac train --out run/                                   # built-in MiniLM on the built-in corpus
              mlac train --model bert-tiny/ --data bios.jsonl --out run/ --steps 50000 --inner-steps 16 --device cuda
              mlac train --out run/ --budget 30m --preset max-loss
              mlac train --out run/ --preset head-adjustment --attacker-mix realistic --long-horizon 32 --suppression-every 4 --lambda-entropy 1
            """)
        {
            model, data, output, preset, steps, innerSteps, innerOptimizer, batch, lr, evalEvery, checkpointEvery, budget, maxLength,
            firstOrder, dense, innerBatches, headOnly, loraRollout, loraLr, entropyDecay, selectEvery, restart, device, seed, splitSeed, json, noProgress, textField, desiredField, harmfulField,
        };
        foreach (var l in lambdas.Values) command.Options.Add(l);
        var attacker = new TrainAttackerOptions();
        foreach (var o in attacker.All) command.Options.Add(o);

        command.SetAction((result, cancellation) => CommandRunner.RunAsync(async token =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            var options = MlacPresets.Get(result.GetValue(preset)!);
            var budgetDefaults = MlacPresets.WithCommandLineBudget(options);
            var weights = options.Objective.Weights;
            foreach (var (name, option) in lambdas)
            {
                if (result.GetValue(option) is { } value) weights = weights.With(name, value);
            }
            options = options with
            {
                Objective = options.Objective with
                {
                    Weights = weights,
                    InnerOptimizer = result.GetValue(innerOptimizer) ?? options.Objective.InnerOptimizer,
                    FirstOrder = result.GetValue(firstOrder),
                    SparseEmbeddings = !result.GetValue(dense),
                    EntropyStepDecay = result.GetValue(entropyDecay) ?? options.Objective.EntropyStepDecay,
                },
                Steps = result.GetValue(steps) ?? budgetDefaults.Steps,
                InnerSteps = result.GetValue(innerSteps) ?? budgetDefaults.InnerSteps,
                InnerBatchSizes = result.GetValue(innerBatches) is { } sizes ? TrainAttackerOptions.ParsePositiveIntegers(sizes, "--inner-batch-sizes") : options.InnerBatchSizes,
                OuterBatchSize = result.GetValue(batch) ?? options.OuterBatchSize,
                OuterLearningRate = result.GetValue(lr) ?? options.OuterLearningRate,
                EvaluateEvery = result.GetValue(evalEvery) ?? budgetDefaults.EvaluateEvery,
                CheckpointEvery = result.GetValue(checkpointEvery) ?? budgetDefaults.CheckpointEvery,
                Budget = result.GetValue(budget) is { } b ? DurationParser.Parse(b, "--budget") : null,
                MaxLength = result.GetValue(maxLength) ?? options.MaxLength,
                HeadOnlyProbability = result.GetValue(headOnly) ?? options.HeadOnlyProbability,
                LoraRolloutProbability = result.GetValue(loraRollout) ?? options.LoraRolloutProbability,
                CandidateEvery = result.GetValue(selectEvery) ?? options.CandidateEvery,
                Seed = result.GetValue(seed),
                SplitSeed = result.GetValue(splitSeed),
            };
            if (result.GetValue(loraLr) is { } range)
            {
                var (min, max) = TrainAttackerOptions.ParseRange(range, "--lora-lr");
                options = options with { LoraLearningRateMin = min, LoraLearningRateMax = max };
            }
            options = attacker.Apply(result, options, innerOptimizerGiven: result.GetResult(innerOptimizer) is not null);
            options.Validate();
            var summary = await Train(mode, options, result.GetValue(model)!, result.GetValue(data)!,
                SharedOptions.Schema(result, textField, desiredField, harmfulField), result.GetValue(output)!,
                result.GetValue(device)!, result.GetValue(restart), token);
            if (summary.StoppedBecause == "cancelled") return ExitCodes.Cancelled;
            var schema = SharedOptions.Schema(result, textField, desiredField, harmfulField);
            var selection = options.CandidateEvery > 0
                ? SelectCommand.Select(mode, result.GetValue(output)!, result.GetValue(model) == ModelSource.Default ? null : result.GetValue(model), result.GetValue(data)!,
                    schema, SelectCommand.DefaultBattery, options.DataSplitSeed(), Math.Max(1, Environment.ProcessorCount),
                    BaselineCache.DefaultFolder(), token)
                : null;
            if (mode.Json) OutputMode.WriteJson(new { training = summary, selection });
            return selection is { ChosenStep: null } ? ExitCodes.CheckFailed : ExitCodes.Success;
        }, cancellation));
        return command;
    }

    /// <summary>The bounded suppression weights that are on, for the objective line (nothing when all are off).</summary>
    private static string SuppressionSummary(MlacTrainingOptions options)
    {
        var w = options.Objective.Weights;
        var on = new[] { ("entropy", w.Entropy), ("kl_uniform", w.KlUniform), ("inverse_ce", w.InverseCrossEntropy), ("rep", w.Representation), ("erase", w.Erasure), ("meta_erase", w.MetaErasure) }
            .Where(t => t.Item2 > 0).Select(t => $"λ_{t.Item1} {t.Item2.ToString(CultureInfo.InvariantCulture)}").ToList();
        if (w.Entropy > 0) on.Add($"λ_t {options.Objective.EntropyStepDecay.ToString(CultureInfo.InvariantCulture)}");
        return on.Count == 0 ? "" : ", " + string.Join(", ", on);
    }

    public static async Task<TrainingSummary> Train(OutputMode mode, MlacTrainingOptions options, string modelSpec, string dataSpec,
        DatasetSchema schema, string output, string deviceSpec, bool restart, CancellationToken cancellation)
    {
        var device = DeviceSelector.Resolve(deviceSpec);
        var (pretrained, vocabulary, description) = ModelSource.Load(modelSpec);
        using (pretrained)
        {
            var dataset = DataSource.Load(dataSpec, schema);
            var splits = DatasetSplitter.Split(dataset, SplitFractions.Paper, options.DataSplitSeed());
            if (options.CandidateEvery > 0)
                MlacRelease.Certification.Selection.ValidationData.CheckFits(splits, MlacRelease.Certification.Batteries.BatteryPresets.Load(SelectCommand.DefaultBattery));
            var tokenizer = new BertTextTokenizer(vocabulary, new TokenizerSettings { MaxLength = options.MaxLength });
            mode.Info($"model: {description} ({pretrained.ParameterCount:N0} parameters) | data: {dataSpec} ({dataset.Count:N0} examples, " +
                      $"{dataset.DesiredLabels.Count} desired / {dataset.HarmfulLabels.Count} harmful classes; defender split {splits.DefenderTrain.Count:N0}) | device: {device}");
            var objective = options.Objective;
            mode.Info($"objective: λ_desired {objective.Weights.Desired}, λ_harmful {objective.Weights.Harmful}, λ_grad {objective.Weights.GradientPenalty}, " +
                      $"λ_lin {objective.Weights.HeadAdjustment}, λ_distill {objective.Weights.Distillation}{SuppressionSummary(options)}; K = {options.InnerSteps} ({(options.AttackerMix is null ? objective.InnerOptimizer.ToString() : "attacker drawn per rollout")}, " +
                      $"{(objective.FirstOrder ? "first" : "second")} order); {options.Steps} steps, batch {options.OuterBatchSize}, lr {options.OuterLearningRate.ToString(CultureInfo.InvariantCulture)}");
            if (TrainAttackerOptions.Summary(options) is { Length: > 0 } attackerLine) mode.Info(attackerLine);
            var trainer = new MlacTrainer(options, new TrainingRunInputs
            {
                Pretrained = pretrained, Vocabulary = vocabulary, Tokenizer = tokenizer, Dataset = dataset, DefenderTrain = splits.DefenderTrain,
                OutputFolder = output, Device = device, Restart = restart, Split = SplitRecord.Of(splits),
            });
            var display = new TrainingProgressDisplay(mode, options.Steps);
            var summary = await display.RunAsync(progress => trainer.RunAsync(progress, cancellation));
            mode.Info($"{summary.StoppedBecause}: {summary.StepsCompleted}/{summary.StepsRequested} steps in {ClockText.Format(TimeSpan.FromSeconds(summary.ElapsedSeconds))}" +
                      (summary.ResumedFromStep is { } r ? $" (resumed from step {r})" : ""));
            if (summary.InitialEvaluation is { } i)
                mode.Info($"before: desired {i.DesiredAccuracy:P1}, harmful quick-probe {i.HarmfulProbeAccuracy:P1}");
            if (summary.BestEvaluation is { } best)
                mode.Info($"best (step {summary.BestStep}): desired {best.DesiredAccuracy:P1}, harmful quick-probe {best.HarmfulProbeAccuracy:P1}, validation loss {best.ValidationLoss:F4}");
            mode.Info($"model: {summary.ModelFolder} (weights {summary.WeightDigest}); curves: {Path.Combine(summary.ModelFolder, TrainingRunLayout.PlotsFolderName)}");
            return summary;
        }
    }
}
