using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using MlacRelease.Core.Tests.Model;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Attack;

/// <summary>The shared LoRA math that the trainer's simulated attacker and the certifier's LoRA attack both call.</summary>
public sealed class LoraAdapterTests
{
    [Fact]
    public void Targets_are_Hugging_Face_weight_names_layer_by_layer()
    {
        var names = LoraTargetModules.WeightNames(2, [BertParameterNames.Query, BertParameterNames.Output]);
        names.Should().Equal("encoder.layer.0.attention.self.query.weight", "encoder.layer.0.output.dense.weight",
            "encoder.layer.1.attention.self.query.weight", "encoder.layer.1.output.dense.weight");
        LoraTargetModules.WeightNames(1, LoraTargetModules.All).Should().HaveCount(6)
            .And.OnlyContain(n => BertParameterNames.All(TinyEncoder.Config).Any(p => p.Name == n && p.Shape.Length == 2));
    }

    [Fact]
    public void Adapters_start_as_PEFT_draws_them_and_the_seed_decides_A()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config, seed: 1);
        var targets = LoraTargetModules.WeightNames(TinyEncoder.Config.NumHiddenLayers, LoraTargetModules.All);
        var adapters = LoraAdapters.Initial(weights.Tensors, targets, rank: 3, seed: 7);
        adapters.Select(a => a.Target).Should().Equal(targets);
        foreach (var adapter in adapters)
        {
            var w = weights[adapter.Target];
            adapter.LoraA.shape.Should().Equal(3, w.shape[1]);
            adapter.LoraB.shape.Should().Equal(w.shape[0], 3);
            adapter.LoraA.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)(1 / Math.Sqrt(w.shape[1])), "uniform ±1/√in");
            adapter.LoraB.abs().max().item<float>().Should().Be(0, "B = 0: the adapted model starts as the base model");
        }
        var again = LoraAdapters.Initial(weights.Tensors, targets, rank: 3, seed: 7);
        var other = LoraAdapters.Initial(weights.Tensors, targets, rank: 3, seed: 8);
        (again[0].LoraA - adapters[0].LoraA).abs().max().item<float>().Should().Be(0);
        (other[0].LoraA - adapters[0].LoraA).abs().max().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Apply_replaces_each_target_by_W_plus_scaling_B_A_and_keeps_the_rest()
    {
        using var weights = EncoderWeights.RandomInit(TinyEncoder.Config, seed: 2, dtype: ScalarType.Float64);
        var name = BertParameterNames.Layer(1, BertParameterNames.Intermediate + ".weight");   // [12, 8]
        var a = randn([2, 8], ScalarType.Float64);
        var b = randn([12, 2], ScalarType.Float64);
        var scaling = LoraAdapter.Scaling(alpha: 3, rank: 2);
        scaling.Should().Be(1.5);

        var map = LoraAdapters.Apply(weights.Tensors, [new LoraAdapter(name, a, b)], scaling);

        var expected = weights[name].data<double>().ToArray();
        var (av, bv) = (a.data<double>().ToArray(), b.data<double>().ToArray());
        for (var o = 0; o < 12; o++)
            for (var i = 0; i < 8; i++)
                expected[o * 8 + i] += 1.5 * (bv[o * 2] * av[i] + bv[o * 2 + 1] * av[8 + i]);
        map[name].data<double>().ToArray().Zip(expected).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-12);
        map.Where(kv => kv.Key != name).Should().OnlyContain(kv => ReferenceEquals(kv.Value, weights.Tensors[kv.Key]));
    }
}
