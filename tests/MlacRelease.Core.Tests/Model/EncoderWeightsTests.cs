using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using TorchSharp;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Tests.Model;

public sealed class EncoderWeightsTests
{
    [Fact]
    public void Random_init_follows_Hugging_Face_and_is_deterministic_by_seed()
    {
        var config = EncoderConfig.BertTiny with { VocabSize = 2000 };
        using var a = EncoderWeights.RandomInit(config, seed: 3);
        using var b = EncoderWeights.RandomInit(config, seed: 3);
        using var c = EncoderWeights.RandomInit(config, seed: 4);
        foreach (var name in a.Tensors.Keys) TensorAssert.Identical(a[name], b[name]).Should().BeTrue(name);
        TensorAssert.Identical(a["encoder.layer.0.attention.self.query.weight"], c["encoder.layer.0.attention.self.query.weight"]).Should().BeFalse();

        var word = a[BertParameterNames.WordEmbeddings];
        word.std().item<float>().Should().BeApproximately(0.02f, 0.001f);
        word[0].abs().sum().item<float>().Should().Be(0, "the padding row is zero");
        a["encoder.layer.1.output.LayerNorm.weight"].EqualTo(1).all().item<bool>().Should().BeTrue();
        a["encoder.layer.1.output.dense.bias"].EqualTo(0).all().item<bool>().Should().BeTrue();
        a.ParameterCount.Should().Be(BertParameterNames.All(config).Sum(p => p.Shape.Aggregate(1L, (x, y) => x * y)));
    }

    [Fact]
    public void Rejects_missing_misshapen_and_foreign_tensors_by_name()
    {
        var config = TinyEncoder.Config;
        using var good = EncoderWeights.RandomInit(config, 1);
        var tensors = good.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        tensors.Remove("pooler.dense.bias");
        ((Action)(() => _ = new EncoderWeights(config, tensors, "x.safetensors"))).Should().Throw<MlacInputException>().WithMessage("x.safetensors: missing*pooler.dense.bias*");
        tensors["pooler.dense.bias"] = zeros(3);
        ((Action)(() => _ = new EncoderWeights(config, tensors, "x"))).Should().Throw<MlacInputException>().WithMessage("*pooler.dense.bias*expected shape [8]*got [3]*");
        tensors["pooler.dense.bias"] = zeros(8);
        tensors["classifier.weight"] = zeros(2, 8);
        ((Action)(() => _ = new EncoderWeights(config, tensors, "x"))).Should().Throw<MlacInputException>().WithMessage("*unexpected*classifier.weight*");
    }

    [Fact]
    public void Forward_rejects_bad_inputs_before_reaching_libtorch()
    {
        using var w = EncoderWeights.RandomInit(TinyEncoder.Config, 1);
        var (ids, mask, _) = TinyEncoder.Batch();
        ((Action)(() => w.Forward(ids.to(int32), mask))).Should().Throw<ArgumentException>().WithMessage("*int64*");
        ((Action)(() => w.Forward(ids, mask.narrow(1, 0, 3)))).Should().Throw<ArgumentException>().WithMessage("*attention_mask*");
        ((Action)(() => w.Forward(torch.zeros(1, 11, dtype: int64), torch.ones(1, 11)))).Should().Throw<MlacInputException>().WithMessage("*max_position_embeddings*");
    }

    [Fact]
    public void Padding_does_not_change_the_real_tokens_outputs()
    {
        using var w = EncoderWeights.RandomInit(TinyEncoder.Config, 5);
        using var noGrad = no_grad();
        var ids = torch.tensor(new long[] { 2, 5, 7 }, [1, 3]);
        using var alone = w.Forward(ids, torch.ones(1, 3, dtype: int64));
        var padded = torch.tensor(new long[] { 2, 5, 7, 0, 0, 0 }, [1, 6]);
        using var withPadding = w.Forward(padded, torch.tensor(new long[] { 1, 1, 1, 0, 0, 0 }, [1, 6]));
        (alone.LastHiddenState - withPadding.LastHiddenState.narrow(1, 0, 3)).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (alone.PooledOutput - withPadding.PooledOutput).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Config_json_round_trips_and_reports_bad_fields_by_name()
    {
        var config = TinyEncoder.Config with { LayerNormEps = 1e-7, HiddenAct = "gelu_new" };
        EncoderConfig.FromJson(config.ToJson()).Should().Be(config);
        ((Action)(() => EncoderConfig.FromJson("{\"hidden_size\": \"big\"}", "c.json"))).Should().Throw<MlacInputException>().WithMessage("c.json: field 'hidden_size': expected an integer*");
        ((Action)(() => EncoderConfig.FromJson("{\"hidden_size\": 10, \"num_attention_heads\": 3}", "c.json"))).Should().Throw<MlacInputException>().WithMessage("*num_attention_heads*divisor*");
        ((Action)(() => EncoderConfig.FromJson("[1,2]", "c.json"))).Should().Throw<MlacInputException>().WithMessage("*object*");
        ((Action)(() => EncoderConfig.FromJson("{", "c.json"))).Should().Throw<MlacInputException>().WithMessage("c.json: not valid JSON*");
        ((Action)(() => EncoderConfig.FromJson("{\"model_type\": \"gpt2\"}", "c.json"))).Should().Throw<MlacInputException>().WithMessage("*model_type*");
    }
}
