using MlacRelease.Core.Numerics;
using TorchSharp;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Objective;
using static TorchSharp.torch;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// Validation of a training run on examples held out of the defender's split: the outer objective on a fixed
/// rollout (the "validation loss" used to pick the best checkpoint, as the paper does), the desired-task accuracy of
/// the encoder with its head, and the accuracy of a quick attacker (linear probe on frozen features), on the final
/// pooled output and on every layer's mean-pooled output.
/// </summary>
public sealed class TrainingEvaluator
{
    private readonly IReadOnlyList<EncodedExample> _validation;
    private readonly IReadOnlyList<EncodedExample> _probeTrain;
    private readonly RolloutPlan _plan;
    private readonly MlacTrainingOptions _options;
    private readonly int _harmfulClasses;

    public TrainingEvaluator(IReadOnlyList<EncodedExample> validation, IReadOnlyList<EncodedExample> train, MlacTrainingOptions options, int harmfulClasses)
    {
        _validation = validation;
        _options = options;
        _harmfulClasses = harmfulClasses;
        _probeTrain = train.Take(options.QuickAttackerExamples).ToList();
        // A fixed rollout on validation data: outer batch first, then the largest inner batch size for every step.
        var random = new DeterministicRandom(DeterministicRandom.DeriveSeed(options.Seed, "validation-rollout"));
        var size = Math.Min(options.InnerBatchSizes.Max(), Math.Max(1, validation.Count - options.OuterBatchSize));
        var outer = LabeledBatch.Collate(validation.Take(Math.Min(options.OuterBatchSize * 4, validation.Count)).ToList());
        var inner = Enumerable.Range(0, options.InnerSteps).Select(_ =>
            LabeledBatch.Collate(Enumerable.Range(0, size).Select(__ => validation[random.NextInt(validation.Count)]).ToList())).ToList();
        _plan = new RolloutPlan(outer, inner, inner.Select(_ => false).ToList());
    }

    public EvaluationResult Evaluate(MlacModelState state, EncoderWeights? original)
    {
        using var scope = NewDisposeScope();
        var terms = MlacObjective.Compute(state, _plan, _options.Objective, original);
        var validationLoss = terms.Outer.Value();

        // One forward pass per set gives the pooled output and every layer's mean.
        var validation = QuickAttacker.Features(state.Encoder, _validation, layerMeans: true);
        var train = QuickAttacker.Features(state.Encoder, _probeTrain, layerMeans: true);
        double desiredAccuracy;
        using (no_grad())
        {
            var predicted = ClassifierHead.Logits(validation.Pooled, state.DesiredHead).argmax(1);
            var labels = tensor(_validation.Select(e => (long)e.Desired).ToArray(), device: predicted.device);
            desiredAccuracy = predicted.eq(labels).to(ScalarType.Float64).mean().Value();
        }
        var trainLabels = _probeTrain.Select(e => (long)e.Harmful).ToArray();
        var validationLabels = _validation.Select(e => (long)e.Harmful).ToArray();
        double Probe(Tensor trainFeatures, Tensor validationFeatures) =>
            QuickAttacker.ProbeAccuracy(trainFeatures, trainLabels, validationFeatures, validationLabels, _harmfulClasses);
        var harmful = Probe(train.Pooled, validation.Pooled);
        var perLayer = train.LayerMeans.Zip(validation.LayerMeans, Probe).ToList();
        return new EvaluationResult { ValidationLoss = validationLoss, DesiredAccuracy = desiredAccuracy, HarmfulProbeAccuracy = harmful, HarmfulLayerProbeAccuracy = perLayer };
    }
}
