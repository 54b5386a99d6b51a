using MlacRelease.Certification.Data;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Data;
using MlacRelease.Core.Evaluation;
using MlacRelease.Core.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// Runs one attack (a family with concrete hyperparameters, a seed and n attacker examples) against one target and
/// reports its curve and scores. Every random choice in a run (head, adapters, re-initialised layers, batch order)
/// comes from generators seeded by the run's seed, so a run is a function of its inputs.
/// </summary>
public sealed class AttackRunner(AttackContext context)
{
    public AttackContext Context { get; } = context;

    /// <summary>A certified run: trained as the configuration says, its best-on-tune checkpoint and its last one scored
    /// on the test split.</summary>
    /// <param name="trainIndices">Indices into the attacker-train split (see <see cref="AttackerSample"/>).</param>
    /// <param name="steps">Steps to run; a successive-halving rung may run fewer than the configuration's own.</param>
    public AttackRunResult Run(TargetEncoder target, AttackConfig config, IReadOnlyList<int> trainIndices, ulong seed, int? steps = null,
        CancellationToken cancellation = default) =>
        Execute(target, config, trainIndices, seed, steps, scoreTest: true, null, cancellation);

    /// <summary>A search run: the same training and tuning curve as <see cref="Run"/>, but the test split is not
    /// scored (the search decides on the tuning split alone). A benign phase found in <paramref name="benign"/> is
    /// restored instead of recomputed, and one computed is stored there.</summary>
    internal AttackRunResult Search(TargetEncoder target, AttackConfig config, IReadOnlyList<int> trainIndices, ulong seed, int? steps,
        BenignPhaseCache? benign, CancellationToken cancellation = default) =>
        Execute(target, config, trainIndices, seed, steps, scoreTest: false, benign, cancellation);

    private AttackRunResult Execute(TargetEncoder target, AttackConfig config, IReadOnlyList<int> trainIndices, ulong seed, int? steps,
        bool scoreTest, BenignPhaseCache? benign, CancellationToken cancellation)
    {
        config.Validate();
        var examples = trainIndices.Select(i => Context.AttackerTrain[i]).ToList();
        if (config.Family == AttackFamily.LinearProbe) return Probe(target, config.ProbeL2!.Value, trainIndices, scoreTest);

        var training = config.Training!;
        var runSteps = steps ?? training.Steps;
        using var encoder = CreateEncoder(target, config, seed, benign, cancellation);
        using var head = ClassifierHead.Create(Context.HarmfulClasses, target.Config.HiddenSize, target.Config.InitializerRange,
            DeterministicRandom.DeriveSeed(seed, "harmful-head"), Context.Device);

        var curve = new List<CurvePoint>();
        var trainable = encoder.Trainable.Append(head).ToList();
        var (bestStep, bestTune) = (0, double.NegativeInfinity);
        ParameterSnapshot? best = null;
        try
        {
            void Evaluate(int step)
            {
                var tune = Scorer.Score(target.Config, encoder.Map(), head, Context.Tune, Context.HarmfulClasses);
                curve.Add(new CurvePoint(step, tune.Accuracy));
                if (tune.Accuracy > bestTune)
                {
                    (bestStep, bestTune) = (step, tune.Accuracy);
                    best?.Dispose();
                    // Only a scored run goes back to its best checkpoint.
                    best = scoreTest ? new ParameterSnapshot(trainable) : null;
                }
            }

            var outcome = TrainingLoop.Run(target.Config, encoder, head, examples, e => e.Harmful, training, runSteps,
                DeterministicRandom.DeriveSeed(seed, "harmful-batches"), Context.Device, Context.EvaluateEvery, Evaluate, cancellation);
            if (curve.Count == 0 || curve[^1].Step != outcome.StepsTaken) Evaluate(outcome.StepsTaken);
            if (!scoreTest)
                return new AttackRunResult(examples.Count, outcome.StepsTaken, curve, bestStep, bestTune, null, null, null, null, outcome.Diverged);
            var final = Scorer.Score(target.Config, encoder.Map(), head, Context.Test, Context.HarmfulClasses);
            var atBest = final;
            if (bestStep != outcome.StepsTaken)
            {
                best!.Restore();
                atBest = Scorer.Score(target.Config, encoder.Map(), head, Context.Test, Context.HarmfulClasses);
            }
            return new AttackRunResult(examples.Count, outcome.StepsTaken, curve, bestStep, bestTune, atBest.Accuracy, atBest.Auroc,
                final.Accuracy, final.Auroc, outcome.Diverged);
        }
        finally
        {
            best?.Dispose();
        }
    }

    /// <summary>Desired-task accuracy on the test split: a probe and a full fine-tuning run on the first
    /// <paramref name="examples"/> desired-task examples, identical for every target.</summary>
    public (double Probe, double FineTune) RunRetention(TargetEncoder target, double probeL2, FineTuneSettings fineTune, int examples, ulong seed,
        CancellationToken cancellation = default)
    {
        var train = Context.DesiredTrain.Take(examples).ToList();
        double probe;
        using (var scope = NewDisposeScope())
        {
            var features = Context.Features.Get(target, "desired-train", Context.DesiredTrain).narrow(0, 0, train.Count);
            var labels = tensor(train.Select(e => (long)e.Desired).ToArray(), device: features.device);
            var model = LogisticRegressionProbe.Fit(features, labels, Context.DesiredClasses, new LogisticRegressionOptions { L2 = probeL2 });
            probe = Scorer.FromLogits(model.Logits(Context.Features.Get(target, "desired-test", Context.DesiredTest.Ordered)), Context.DesiredTest, Context.DesiredClasses).Accuracy;
        }
        using var encoder = new FineTunedEncoder(target);
        using var head = ClassifierHead.Create(Context.DesiredClasses, target.Config.HiddenSize, target.Config.InitializerRange,
            DeterministicRandom.DeriveSeed(seed, "retention-head"), Context.Device);
        TrainingLoop.Run(target.Config, encoder, head, train, e => e.Desired, fineTune, fineTune.Steps,
            DeterministicRandom.DeriveSeed(seed, "retention-batches"), Context.Device, int.MaxValue, null, cancellation);
        var fineTuned = Scorer.Score(target.Config, encoder.Map(), head, Context.DesiredTest, Context.DesiredClasses).Accuracy;
        return (probe, fineTuned);
    }

    private IAttackEncoder CreateEncoder(TargetEncoder target, AttackConfig config, ulong seed, BenignPhaseCache? cache, CancellationToken cancellation)
    {
        switch (config.Family)
        {
            case AttackFamily.Lora:
                return new LoraEncoder(target, config.Lora!, DeterministicRandom.DeriveSeed(seed, "lora"));
            case AttackFamily.FullFineTune:
                return new FineTunedEncoder(target);
            case AttackFamily.ReinitTopLayers:
            {
                var encoder = new FineTunedEncoder(target);
                var fresh = LayerReinitializer.Reinitialize(target.Config, encoder.Tensors, config.ReinitLayers!.Value, DeterministicRandom.DeriveSeed(seed, "reinit"));
                if (config.FreezeLowerLayers == true) encoder.TrainOnly([.. fresh]);
                return encoder;
            }
            case AttackFamily.BenignThenHarmful:
            {
                var encoder = new FineTunedEncoder(target);
                var benign = config.Benign!;
                if (cache?.TryRestore(benign, seed, encoder) == true) return encoder;
                var examples = Context.DesiredTrain.Take(benign.Examples).ToList();
                using var desiredHead = ClassifierHead.Create(Context.DesiredClasses, target.Config.HiddenSize, target.Config.InitializerRange,
                    DeterministicRandom.DeriveSeed(seed, "desired-head"), Context.Device);
                TrainingLoop.Run(target.Config, encoder, desiredHead, examples, e => e.Desired, benign.Training, benign.Training.Steps,
                    DeterministicRandom.DeriveSeed(seed, "benign-batches"), Context.Device, int.MaxValue, null, cancellation);
                cache?.Store(benign, seed, encoder);
                return encoder;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(config), config.Family, "not a gradient-trained family");
        }
    }

    private AttackRunResult Probe(TargetEncoder target, double l2, IReadOnlyList<int> trainIndices, bool scoreTest)
    {
        using var scope = NewDisposeScope();
        var trainFeatures = Context.Features.Get(target, "attacker-train", Context.AttackerTrain);
        var features = trainFeatures.index_select(0, tensor(trainIndices.Select(i => (long)i).ToArray(), device: trainFeatures.device));
        var labels = tensor(trainIndices.Select(i => (long)Context.AttackerTrain[i].Harmful).ToArray(), device: trainFeatures.device);
        var model = LogisticRegressionProbe.Fit(features, labels, Context.HarmfulClasses, new LogisticRegressionOptions { L2 = l2 });
        var tune = Scorer.FromLogits(model.Logits(Context.Features.Get(target, "tune", Context.Tune.Ordered)), Context.Tune, Context.HarmfulClasses);
        var diverged = !model.Report.Converged && !double.IsFinite(model.Report.Loss);
        if (!scoreTest) return new AttackRunResult(trainIndices.Count, 0, [new CurvePoint(0, tune.Accuracy)], 0, tune.Accuracy, null, null, null, null, diverged);
        var test = Scorer.FromLogits(model.Logits(Context.Features.Get(target, "test", Context.Test.Ordered)), Context.Test, Context.HarmfulClasses);
        return new AttackRunResult(trainIndices.Count, 0, [new CurvePoint(0, tune.Accuracy)], 0, tune.Accuracy, test.Accuracy, test.Auroc,
            test.Accuracy, test.Auroc, diverged);
    }
}
