using MlacRelease.Core.Numerics;
using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Tests;

/// <summary>
/// A world small enough for unit tests: a 2-layer, 16-wide encoder over a 40-token vocabulary, and sequences of
/// filler tokens with one planted harmful cue (token 3 → class 0, token 4 → class 1) and one desired cue (5 / 6)
/// at random positions. The "pretrained" encoder is a random init trained briefly on both cues, so its pooled output
/// makes both tasks linearly easy; its random-init twin has to find the cue from scratch.
/// </summary>
public sealed class TinyWorld : IDisposable
{
    public const int Cls = 1, Sep = 2;

    public static EncoderConfig Config { get; } = new()
    {
        VocabSize = 40, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 32,
        MaxPositionEmbeddings = 16, TypeVocabSize = 2,
    };

    public TinyWorld()
    {
        // Tiny tensors: one thread avoids pool overhead, and every test then computes under the same setting.
        TorchSharp.torch.set_num_threads(1);
        // As the certifier does while it runs: no background GC beside TorchSharp's native calls (BlockingGarbageCollection).
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.Batch;
        Data = new CertificationData(Examples(160, 1), Examples(64, 2), Examples(128, 3), Examples(128, 4), ["a", "b"], ["x", "y"]);
        RandomTwinSource = EncoderWeights.RandomInit(Config, seed: 11);
        Pretrained = Pretrain(EncoderWeights.RandomInit(Config, seed: 12), Examples(400, 5));
    }

    public CertificationData Data { get; }

    public EncoderWeights Pretrained { get; }

    /// <summary>A random init of the same configuration (the certifier makes its own twin; tests use this one directly).</summary>
    public EncoderWeights RandomTwinSource { get; }

    public static List<EncodedExample> Examples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var length = random.Next(6, 11);
            var ids = new List<int> { Cls };
            for (var i = 1; i < length - 1; i++) ids.Add(random.Next(7, Config.VocabSize));
            ids.Add(Sep);
            var harmful = random.Next(2);
            var desired = random.Next(2);
            ids[random.Next(1, length - 1)] = 3 + harmful;
            int position;
            do position = random.Next(1, length - 1); while (ids[position] is 3 or 4);
            ids[position] = 5 + desired;
            return new EncodedExample([.. ids], desired, harmful);
        }).ToList();
    }

    /// <summary>Trains every encoder weight and two heads on both cues (Adam, 300 steps of 32).</summary>
    private static EncoderWeights Pretrain(EncoderWeights start, List<EncodedExample> examples)
    {
        var parameters = start.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new Parameter(kv.Value.detach().clone())).ToList();
        var names = start.Tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var map = names.Zip(parameters).ToDictionary(p => p.First, p => (Tensor)p.Second);
        var generator = new Generator(3, CPU);
        var harmfulHead = new Parameter(NormalInit.Draw(0, 0.1, [2, Config.HiddenSize], ScalarType.Float32, generator));
        var desiredHead = new Parameter(NormalInit.Draw(0, 0.1, [2, Config.HiddenSize], ScalarType.Float32, generator));
        using var optimizer = HeldOptimizer.Adam(parameters.Append(harmfulHead).Append(desiredHead), 3e-3);
        var random = new Random(7);
        for (var step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            var batch = LabeledBatch.Collate(Enumerable.Range(0, 32).Select(_ => examples[random.Next(examples.Count)]).ToList());
            var (ids, mask, types) = batch.Tokens.ToTensors();
            var pooled = BertEncoder.Forward(Config, map, ids, mask, types).PooledOutput;
            var loss = nn.functional.cross_entropy(matmul(pooled, harmfulHead.t()), batch.HarmfulTensor())
                + nn.functional.cross_entropy(matmul(pooled, desiredHead.t()), batch.DesiredTensor());
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
        }
        var trained = names.Zip(parameters).ToDictionary(p => p.First, p => p.Second.detach().clone());
        start.Dispose();
        return new EncoderWeights(Config, trained, "tiny pretrained");
    }

    /// <summary>An attack context over <see cref="Data"/> (no compaction: the vocabulary is already tiny).</summary>
    public AttackContext Context(int evaluateEvery = 5) =>
        new(Data.AttackerTrain, Data.AttackerTune, Data.Test, Data.DesiredTrain, 2, 2, 0, evaluateEvery, CPU);

    public TargetEncoder Target(TargetRole role, EncoderWeights weights) =>
        TargetEncoder.Create(role, weights, "test", CompactVocabulary.Build([Enumerable.Range(0, Config.VocabSize).Select(i => new EncodedExample([i], 0, 0))], 0), CPU);

    public void Dispose()
    {
        Pretrained.Dispose();
        RandomTwinSource.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class TinyWorldCollection : ICollectionFixture<TinyWorld>
{
    public const string Name = "Tiny world";
}
