using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Objective;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>A tiny float64 encoder and a fixed rollout plan, small enough for finite differences.</summary>
public static class TinySetup
{
    public static EncoderConfig Config { get; } = new()
    {
        VocabSize = 31, HiddenSize = 8, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 12,
        MaxPositionEmbeddings = 12, TypeVocabSize = 2, InitializerRange = 0.4,
    };

    public static MlacModelState State(long seed = 1)
    {
        var encoder = EncoderWeights.RandomInit(Config, seed, dtype: ScalarType.Float64);
        return MlacModelState.Create(encoder, desiredClasses: 3, harmfulClasses: 2, attackerLearningRate: 0.05, seed: seed + 100);
    }

    /// <summary>Batches use token ids 2..20 only, so rows 21..30 of the embedding matrix are unused.</summary>
    public static LabeledBatch Batch(int seed, int size) => LabeledBatch.Collate(Examples(seed, size));

    /// <summary>The examples of <see cref="Batch"/>, for callers that batch them themselves.</summary>
    public static List<EncodedExample> Examples(int seed, int size)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, size).Select(_ =>
        {
            var length = random.Next(3, 7);
            var ids = new int[length];
            ids[0] = 1;
            for (var i = 1; i < length; i++) ids[i] = random.Next(2, 21);
            var harmful = random.Next(2);
            if (harmful == 1) ids[1] = 7;   // a learnable harmful cue
            return new EncodedExample(ids, random.Next(3), harmful);
        }).ToList();
    }

    /// <summary>The first seed whose outer batch of 6 holds at least two examples of each harmful class, which the
    /// class-mean gap needs (seed 1's holds one of a class, so that term is 0 on it).</summary>
    public static int OuterSeedWithTwoPerClass { get; } = Enumerable.Range(1, 1000)
        .First(seed => Examples(seed, 6).GroupBy(e => e.Harmful).Count(g => g.Count() >= 2) == 2);

    /// <summary>The outer batch seed a test of <paramref name="term"/> uses: 1, or one with two examples per class for the erasure terms.</summary>
    public static int OuterSeedFor(LossSignTests.Term term) => term is LossSignTests.Term.Erasure or LossSignTests.Term.MetaErasure ? OuterSeedWithTwoPerClass : 1;

    public static RolloutPlan Plan(int innerSteps, bool headOnlySecond = false, int outerSeed = 1) => new(
        Batch(outerSeed, 6),
        Enumerable.Range(0, innerSteps).Select(k => Batch(10 + k, 4)).ToList(),
        Enumerable.Range(0, innerSteps).Select(k => headOnlySecond && k == 1).ToList());
}
