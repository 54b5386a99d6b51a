using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;
using MlacRelease.Core.Text;
using MlacRelease.Training.Objective;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// Draws each outer step's data from a generator seeded by (run seed, step) alone, so step t's rollout is the same
/// whether the run got there in one go or was resumed from a checkpoint: no generator state to save.
/// </summary>
public sealed class RolloutSampler(IReadOnlyList<EncodedExample> train, MlacTrainingOptions options)
{
    public RolloutPlan Plan(long step)
    {
        var random = new DeterministicRandom(DeterministicRandom.DeriveSeed(options.Seed, (ulong)step));
        // The attacker's own draws (long or short, the realistic attacker) come from a stream of their own, so turning
        // them on leaves every outer batch of a run as it was.
        var attackerRandom = new DeterministicRandom(DeterministicRandom.DeriveSeed(AttackerStream, (ulong)step));
        var longHorizon = options.LongHorizon is { } lh && attackerRandom.NextDouble() < lh.Fraction ? lh : null;
        var k = longHorizon?.Steps ?? options.InnerStepsAt(step);
        // The mix's draw reads only the attacker stream, so drawing it before the batches leaves both streams as they were.
        var drawn = options.AttackerMix?.Draw(attackerRandom, k);
        // A carried LoRA attacker continues only in long rollouts: a LoRA rollout chosen to carry is long. The choice is
        // drawn last from the attacker stream, and only for a share below 1, so carrying every LoRA attacker draws what it drew.
        var carries = options.LongHorizon is { CarriedLoraSteps: > 0 } carrying && drawn?.Draw.Family == AttackerFamily.Lora
            && (carrying.CarriedLoraShare >= 1 || attackerRandom.NextDouble() < carrying.CarriedLoraShare);
        if (carries && longHorizon is null)
        {
            longHorizon = options.LongHorizon;
            k = longHorizon!.Steps;
        }
        // A re-initialisation attacker runs its own, longer K in a long rollout; its draw does not depend on K.
        if (options.LongHorizon is { ReinitSteps: > 0 } reinitHorizon && drawn?.Draw.Family == AttackerFamily.ReinitTopLayers)
        {
            longHorizon = reinitHorizon;
            k = reinitHorizon.ReinitSteps;
        }
        var outer = Sample(random, options.OuterBatchSize);
        var size = options.InnerBatchSizes[random.NextInt(options.InnerBatchSizes.Count)];
        var inner = new List<LabeledBatch>(k);
        var headOnly = new List<bool>(k);
        for (var i = 0; i < k; i++)
        {
            inner.Add(Sample(random, size));
            headOnly.Add(options.HeadOnlyProbability > 0 && random.NextDouble() < options.HeadOnlyProbability);
        }
        // Drawn last and only when enabled, so a run without LoRA rollouts draws exactly the plans it drew before.
        LoraRollout? loraRollout = null;
        if (options.LoraRolloutProbability > 0 && random.NextDouble() < options.LoraRolloutProbability)
        {
            var (min, max) = (Math.Log(options.LoraLearningRateMin), Math.Log(options.LoraLearningRateMax));
            var learningRate = Math.Exp(min + random.NextDouble() * (max - min));
            loraRollout = new LoraRollout(options.LoraRank, options.LoraAlpha, learningRate, random.NextUInt64());
        }
        AttackerDraw? attacker = null;
        if (drawn is { } mixDraw)
        {
            (attacker, loraRollout) = mixDraw;
            if (attacker.Family == AttackerFamily.HeadOnly) headOnly = Enumerable.Repeat(true, k).ToList();
        }
        return new RolloutPlan(outer, inner, headOnly, loraRollout) { Attacker = attacker, SuppressionEvery = longHorizon?.SuppressionEvery, Carries = carries };
    }

    private ulong AttackerStream { get; } = DeterministicRandom.DeriveSeed(options.Seed, "attacker");

    private LabeledBatch Sample(DeterministicRandom random, int size)
    {
        if (size > train.Count) throw new MlacInputException($"a batch of {size} needs at least that many training examples; the split has {train.Count}");
        // Partial Fisher–Yates over indices: a batch without repeats.
        var indices = Enumerable.Range(0, train.Count).ToArray();
        for (var i = 0; i < size; i++)
        {
            var j = random.NextInt(i, indices.Length);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        return LabeledBatch.Collate(indices.Take(size).Select(i => train[i]).ToList());
    }
}
