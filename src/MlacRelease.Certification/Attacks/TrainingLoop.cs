using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// The attacker's training loop: pooled output → bias-free linear head → cross-entropy, the chosen optimiser and
/// schedule, optional global-norm clipping, and a hook every E steps (and after the last step) for evaluation.
/// </summary>
internal static class TrainingLoop
{
    public readonly record struct Outcome(int StepsTaken, bool Diverged);

    public static Outcome Run(EncoderConfig config, IAttackEncoder encoder, Parameter head, IReadOnlyList<EncodedExample> examples,
        Func<EncodedExample, int> label, FineTuneSettings settings, int steps, ulong seed, Device device,
        int evaluateEvery, Action<int>? onEvaluate, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (examples.Count == 0) throw new ArgumentException("an attack needs at least one training example", nameof(examples));
        var parameters = encoder.Trainable.Append(head).ToList();
        using var optimizer = OptimizerFactory.Create(settings.Optimizer, parameters, settings.LearningRate, settings.WeightDecay);
        var sampler = new BatchSampler(examples.Count, settings.BatchSize, seed);
        for (var step = 0; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                var chosen = sampler.Next().Select(i => examples[i]).ToList();
                var batch = LabeledBatch.Collate(chosen, config.PadTokenId);
                var (ids, mask, types) = batch.Tokens.ToTensors(device);
                var labels = tensor(chosen.Select(e => (long)label(e)).ToArray(), device: device);
                var pooled = BertEncoder.Forward(config, encoder.Map(), ids, mask, types).PooledOutput;
                var loss = ClassifierHead.CrossEntropy(pooled, head, labels);
                if (!double.IsFinite(loss.item<float>()))
                {
                    // A diverged attacker stops; its best checkpoint so far still counts.
                    return new Outcome(step, true);
                }
                optimizer.ZeroGrad();
                loss.backward();
                if (settings.MaxGradNorm is { } maxNorm) nn.utils.clip_grad_norm_(parameters, maxNorm);
                optimizer.LearningRate = LearningRateSchedule.At(settings.Schedule, settings.LearningRate, settings.WarmupFraction, step, steps);
                optimizer.Step();
            }
            var taken = step + 1;
            if (onEvaluate is not null && (taken % evaluateEvery == 0 || taken == steps))
            {
                onEvaluate(taken);
            }
        }
        return new Outcome(steps, false);
    }
}
