using MlacRelease.Core.Numerics;
using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Data;
using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Tests;

[Collection(TinyWorldCollection.Name)]
public sealed class LoraTests(TinyWorld world)
{
    [Fact]
    public void The_adapted_weight_is_W_plus_alpha_over_r_times_B_A_computed_by_hand()
    {
        var config = new EncoderConfig { VocabSize = 5, HiddenSize = 4, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 6, MaxPositionEmbeddings = 4 };
        using var weights = EncoderWeights.RandomInit(config, seed: 2);
        using var lora = new LoraEncoder(config, weights.Tensors, new LoraSettings(Rank: 2, Alpha: 3, [LoraTarget.Query, LoraTarget.Intermediate]), seed: 1);
        lora.Scale.Should().Be(1.5);
        lora.Adapters.Should().HaveCount(2);

        // B starts at zero: before any training the adapted encoder is the base encoder exactly.
        foreach (var (name, _, _) in lora.Adapters)
            lora.Map()[name].data<float>().ToArray().Should().Equal(weights[name].data<float>().ToArray());

        var a = new float[,] { { 1, 2, 3, 4 }, { -1, 0.5f, 0, 2 } };                 // [r=2, in=4]
        var b = new float[,] { { 0.1f, 0 }, { 0, 1 }, { 2, -1 }, { 0.5f, 0.5f } };    // [out=4, r=2]
        var query = lora.Adapters.Single(x => x.Name.EndsWith("attention.self.query.weight", StringComparison.Ordinal));
        using (no_grad())
        {
            query.A.copy_(tensor(a));
            query.B.copy_(tensor(b));
        }
        var adapted = lora.Map()[query.Name].data<float>().ToArray();
        var w = weights[query.Name].data<float>().ToArray();
        for (var o = 0; o < 4; o++)
        {
            for (var i = 0; i < 4; i++)
            {
                var update = 0.0;
                for (var k = 0; k < 2; k++) update += b[o, k] * a[k, i];
                adapted[o * 4 + i].Should().BeApproximately((float)(w[o * 4 + i] + 1.5 * update), 1e-6f, $"element [{o}, {i}]");
            }
        }
        // Untargeted tensors are the base tensors themselves.
        var key = BertParameterNames.Layer(0, BertParameterNames.Key + ".weight");
        ReferenceEquals(lora.Map()[key], weights.Tensors[key]).Should().BeTrue();
    }

    [Fact]
    public void A_LoRA_attack_trains_adapters_and_leaves_the_base_weights_untouched()
    {
        using var context = world.Context();
        using var target = world.Target(TargetRole.Pretrained, world.Pretrained);
        var before = target.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.data<float>().ToArray()).ToList();
        var config = new AttackConfig
        {
            Family = AttackFamily.Lora,
            Training = new FineTuneSettings(OptimizerKind.AdamW, 1e-2, ScheduleKind.Cosine, 0.2, 8, 10, 0.01, 1.0),
            Lora = new LoraSettings(4, 8, LoraTargets.All),
        };
        var result = new AttackRunner(context).Run(target, config, AttackerSample.Indices(context.AttackerTrain, 16, 1), seed: 3);

        result.Steps.Should().Be(10);
        var after = target.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.data<float>().ToArray()).ToList();
        for (var i = 0; i < before.Count; i++) after[i].Should().Equal(before[i]);
    }

    [Fact]
    public void Adapters_receive_gradients_and_the_base_does_not()
    {
        using var target = world.Target(TargetRole.Pretrained, world.Pretrained);
        using var lora = new LoraEncoder(target, new LoraSettings(2, 4, [LoraTarget.Value, LoraTarget.Output]), seed: 5);
        var batch = Core.Text.LabeledBatch.Collate(TinyWorld.Examples(4, 9));
        var (ids, mask, types) = Core.Text.TokenizedBatchTensors.ToTensors(batch.Tokens);
        // Perturb B so gradients reach A too (with B = 0, ∂/∂A is zero).
        using (no_grad()) foreach (var (_, _, b) in lora.Adapters) HeldScalars.With(0.1, s => b.add_(s));
        var pooled = BertEncoder.Forward(target.Config, lora.Map(), ids, mask, types).PooledOutput;
        pooled.sum().backward();
        foreach (var p in lora.Trainable) p.grad!.abs().sum().item<float>().Should().BeGreaterThan(0);
        target.Tensors.Values.Should().OnlyContain(t => !t.requires_grad);
    }
}
