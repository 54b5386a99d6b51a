using MlacRelease.Core.Numerics;
using TorchSharp;
using System.Diagnostics;
using System.Text.Json;
using MlacRelease.Common.IO;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Objective;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// Runs MLAC: outer Adam on the encoder and desired head, Adam on the attacker's head and learning rate, validation
/// every N steps, best and latest checkpoints written atomically, exact resume, a metrics log and plots. The output
/// folder (<see cref="TrainingRunLayout"/>) is also a Hugging Face model folder holding the best encoder
/// (<see cref="TrainedModelWriter"/>).
/// </summary>
public sealed class MlacTrainer(MlacTrainingOptions options, TrainingRunInputs inputs)
{
    private readonly MlacTrainingOptions _options = options.Validate();

    public string Fingerprint => RunFingerprint.Of(_options);

    public Task<TrainingSummary> RunAsync(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        Task.Run(() => Run(progress, cancellation), CancellationToken.None);

    public TrainingSummary Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var layout = new TrainingRunLayout(inputs.OutputFolder);
        layout.CreateFolders();
        var metricsLog = new MetricsLog(layout.MetricsFile);
        var modelWriter = new TrainedModelWriter(inputs.Vocabulary);

        var (train, validation) = PrepareData();
        using var state = MlacModelState.Create(inputs.Pretrained.To(inputs.Device), inputs.Dataset.DesiredLabels.Count,
            inputs.Dataset.HarmfulLabels.Count, _options.AttackerLearningRateInit, (long)_options.Seed);
        using var original = _options.Objective.Weights.Distillation > 0 ? inputs.Pretrained.To(inputs.Device) : null;
        using var outer = new ParameterAdam(state.OuterParameters, _options.OuterLearningRate, _options.OuterClipNorm);
        using var meta = new ParameterAdam(state.AttackerParameters, _options.MetaLearningRate, _options.MetaClipNorm);
        var sampler = new RolloutSampler(train, _options);
        using var carry = new AttackerCarry(_options.LongHorizon?.CarriedLoraSteps ?? 0);
        var evaluator = new TrainingEvaluator(validation, train, _options, inputs.Dataset.HarmfulLabels.Count);

        long step = 0;
        double elapsedBefore = 0;
        double? bestLoss = null;
        long? bestStep = null;
        long? resumedFrom = null;
        EvaluationResult? initial = null, best = null, last = null;
        if (!inputs.Restart && File.Exists(layout.LatestCheckpoint))
        {
            var info = Restore(layout.LatestCheckpoint, state, outer, meta, carry);
            step = info.Step;
            elapsedBefore = info.ElapsedSeconds;
            bestLoss = info.BestValidationLoss;
            bestStep = info.BestStep;
            resumedFrom = step;
            metricsLog.TruncateAfter(step);
            (initial, best, last) = metricsLog.Evaluations(bestStep);
        }
        else
        {
            InitializeHeads(state, train);
            metricsLog.Clear();
            initial = last = evaluator.Evaluate(state, original) with { IsBest = false };
            metricsLog.Append(new TrainingMetrics { Step = 0, Evaluation = initial });
        }

        var clock = Stopwatch.StartNew();
        var stepsThisRun = 0;
        var reason = "completed";
        CheckpointInfo Info() => new()
        {
            Step = step, OuterAdamSteps = outer.Steps, MetaAdamSteps = meta.Steps, ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
            BestValidationLoss = bestLoss, BestStep = bestStep, Fingerprint = Fingerprint, DatasetDigest = inputs.Dataset.Digest,
            EncoderConfigJson = state.Encoder.Config.ToJson(), DesiredLabels = inputs.Dataset.DesiredLabels, HarmfulLabels = inputs.Dataset.HarmfulLabels,
            CarriedAttacker = carry.SavedInfo(),
        };
        void Save(string path) => TrainingCheckpoint.Save(path, CheckpointTensors.Of(state, outer, meta, carry), Info());

        while (step < _options.Steps)
        {
            if (cancellation.IsCancellationRequested) { reason = "cancelled"; break; }
            if (_options.Budget is { } budget && clock.Elapsed >= budget) { reason = "budget"; break; }
            var stepClock = Stopwatch.StartNew();
            var metrics = OuterStep(state, outer, meta, carry.Continue(sampler.Plan(step)), original, carry);
            step++;
            stepsThisRun++;
            metrics = metrics with { Step = step, ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds, StepSeconds = stepClock.Elapsed.TotalSeconds };
            metricsLog.Append(metrics);

            if (step % _options.EvaluateEvery == 0 || step == _options.Steps)
            {
                var evaluation = evaluator.Evaluate(state, original);
                var isBest = bestLoss is null || evaluation.ValidationLoss < bestLoss;
                last = evaluation with { IsBest = isBest };
                metricsLog.Append(new TrainingMetrics { Step = step, ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds, Evaluation = last });
                if (isBest)
                {
                    bestLoss = evaluation.ValidationLoss;
                    bestStep = step;
                    best = last;
                    Save(layout.BestCheckpoint);
                }
            }
            var checkpointed = step % _options.CheckpointEvery == 0 || step == _options.Steps;
            if (checkpointed) Save(layout.LatestCheckpoint);
            if (_options.CandidateEvery > 0 && (step % _options.CandidateEvery == 0 || step == _options.Steps))
                modelWriter.WriteCandidate(layout, step, () => { if (!checkpointed) Save(layout.LatestCheckpoint); });
            var rate = clock.Elapsed.TotalSeconds / stepsThisRun;
            progress?.Report(new TrainingProgress(step, _options.Steps, TimeSpan.FromSeconds(elapsedBefore) + clock.Elapsed,
                TimeSpan.FromSeconds(rate * (_options.Steps - step)), metrics, last));
        }
        // Whatever stopped the loop, the latest state is on disk so the run can continue.
        Save(layout.LatestCheckpoint);
        // A budget stop ends between candidate steps: its state is a candidate too, or selection would never see it.
        if (_options.CandidateEvery > 0 && reason == "budget" && step > 0) modelWriter.WriteCandidate(layout, step, () => { });

        var digest = modelWriter.Write(layout.Root, layout.ReleasedCheckpoint);
        inputs.Split?.Write(layout.Root);
        TrainingPlots.Write(layout.MetricsFile, layout.PlotsFolder);
        var summary = new TrainingSummary
        {
            StepsCompleted = step, StepsRequested = _options.Steps, StoppedBecause = reason, ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
            BestStep = bestStep, BestValidationLoss = bestLoss, InitialEvaluation = initial, BestEvaluation = best,
            ModelFolder = layout.Root, WeightDigest = digest, ResumedFromStep = resumedFrom,
        };
        AtomicFile.WriteAllText(layout.SummaryFile, JsonSerializer.Serialize(new { options = _options, summary }, JsonOptions));
        return summary;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private (IReadOnlyList<EncodedExample> Train, IReadOnlyList<EncodedExample> Validation) PrepareData()
    {
        var examples = inputs.DefenderTrain.ToList();
        // Hold validation out of the defender's split by a seeded shuffle: the attacker's and test splits stay untouched.
        new DeterministicRandom(DeterministicRandom.DeriveSeed(_options.Seed, "validation-split")).Shuffle(examples);
        var count = Math.Min(_options.ValidationExamples, examples.Count / 5);
        if (count < 16) throw new MlacInputException($"the defender's split has {examples.Count} examples: too few to hold out validation data");
        var encoded = ExampleEncoder.Encode(examples, inputs.Dataset, inputs.Tokenizer, _options.MaxLength);
        return (encoded.Skip(count).ToList(), encoded.Take(count).ToList());
    }

    private void InitializeHeads(MlacModelState state, IReadOnlyList<EncodedExample> train)
    {
        if (_options.HeadInitializationExamples == 0) return;
        var examples = train.Take(_options.HeadInitializationExamples).ToList();
        using var scope = NewDisposeScope();
        var features = QuickAttacker.PooledFeatures(state.Encoder, examples);
        var desired = QuickAttacker.FitHead(features, examples.Select(e => (long)e.Desired).ToArray(), (int)state.DesiredHead.shape[0], (long)_options.Seed);
        // The attacker's head stays random, as in the reference code: started at a fitted optimum, every inner step
        // would hurt the attacker and the meta-learner would drive its learning rate to the floor.
        using (no_grad())
        {
            state.DesiredHead.copy_(desired);
        }
    }

    private TrainingMetrics OuterStep(MlacModelState state, ParameterAdam outer, ParameterAdam meta, RolloutPlan plan, EncoderWeights? original, AttackerCarry carry)
    {
        using var scope = NewDisposeScope();
        var terms = MlacObjective.Compute(state, plan, _options.Objective, original, carry);
        var outerParameters = state.OuterParameters.Select(p => p.Tensor).ToList();
        var attackerParameters = state.AttackerParameters.Select(p => p.Tensor).ToList();
        var outerGrads = autograd.grad([terms.Outer], outerParameters, retain_graph: true, allow_unused: true);
        var attackerGrads = autograd.grad([terms.Attacker], attackerParameters, allow_unused: true);
        var outerNorm = outer.Step(outerGrads.Cast<Tensor?>().ToList());
        meta.Step(attackerGrads.Cast<Tensor?>().ToList());
        using (no_grad())
        {
            using var low = _options.Objective.AttackerLearningRateMin.ToScalar();
            using var high = _options.Objective.AttackerLearningRateMax.ToScalar();
            state.AttackerLearningRate.clamp_(low, high);
        }
        return TrainingMetrics.OfStep(terms, plan, outerNorm, state.AttackerLearningRate.Value());
    }

    private CheckpointInfo Restore(string path, MlacModelState state, ParameterAdam outer, ParameterAdam meta, AttackerCarry carry)
    {
        var (info, tensors) = TrainingCheckpoint.Load(path);
        try
        {
            if (!RunFingerprint.Matches(info.Fingerprint, Fingerprint))
                throw new RunFolderMismatchException($"{path}: the checkpoint was written with other training options; pass the same options to resume, or restart (--restart) to begin a new run in this folder");
            if (info.DatasetDigest != inputs.Dataset.Digest)
                throw new RunFolderMismatchException($"{path}: the checkpoint was trained on dataset {info.DatasetDigest}, not {inputs.Dataset.Digest}; use the same data to resume, or restart (--restart) to begin a new run in this folder");
            CheckpointTensors.Restore(tensors, info, state, outer, meta, path);
            CheckpointTensors.RestoreCarry(tensors, info, carry, _options, state.Encoder.Device, path);
            return info;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
