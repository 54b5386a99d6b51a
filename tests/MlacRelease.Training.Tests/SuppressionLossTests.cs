using MlacRelease.Core.Numerics;
using TorchSharp;
using MlacRelease.Core.Model;
using MlacRelease.Training.Objective;
using MlacRelease.Training.Trainer;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MlacRelease.Training.Tests;

/// <summary>The bounded suppression terms' values against their definitions, and how each enters the outer loss.</summary>
public sealed class SuppressionLossTests
{
    private static Tensor Logits(int seed, long steps, long n, long c, double scale)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, (int)(steps * n * c)).Select(_ => scale * (2 * random.NextDouble() - 1)).ToArray();
        return tensor(values, [steps, n, c], float64);
    }

    [Fact]
    public void Entropy_step_weights_sum_to_one_and_grow_by_e_to_the_decay_per_step()
    {
        var w = SuppressionLosses.EntropyStepWeights(5, 0.0625, float64, CPU).data<double>().ToArray();
        w.Sum().Should().BeApproximately(1, 1e-15);
        for (var k = 0; k + 1 < w.Length; k++) (w[k + 1] / w[k]).Should().BeApproximately(Math.Exp(0.0625), 1e-14);
        SuppressionLosses.EntropyStepWeights(4, 0, float64, CPU).data<double>().ToArray().Should().AllSatisfy(v => v.Should().BeApproximately(0.25, 1e-15));
        var invalid = () => SuppressionLosses.EntropyStepWeights(3, double.NaN, float64, CPU);
        invalid.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void The_entropy_term_is_minimal_at_uniform_predictions_and_weighs_later_steps_more()
    {
        const double decay = 0.5;
        var uniform = zeros([3, 4, 2], float64).requires_grad_(true);
        var atUniform = SuppressionLosses.WeightedEntropy(uniform, decay);
        atUniform.item<double>().Should().BeApproximately(Math.Log(2), 1e-14, "uniform predictions have the largest entropy, ln C");
        autograd.grad([atUniform], [uniform])[0].abs().max().item<double>().Should().BeLessThan(1e-15, "uniform is a stationary point");
        for (var seed = 0; seed < 20; seed++)
        {
            SuppressionLosses.WeightedEntropy(Logits(seed, 3, 4, 2, 3), decay).item<double>().Should().BeLessThan(Math.Log(2) - 1e-6);
        }
        SuppressionLosses.WeightedEntropy(HeldScalars.Full([3, 4, 2], 0.0, float64).index_put_(tensor(40.0, float64), TensorIndex.Ellipsis, TensorIndex.Single(0)), decay)
            .item<double>().Should().BeLessThan(1e-15, "confident predictions have no entropy");

        // One step uniform, the other confident: the term prefers the uniform step to be the later one.
        var confident = tensor(new[] { 20.0, -20.0 }, float64).expand(1, 4, 2);
        var flat = zeros([1, 4, 2], float64);
        var lateUniform = SuppressionLosses.WeightedEntropy(cat([confident, flat], 0), decay).item<double>();
        var earlyUniform = SuppressionLosses.WeightedEntropy(cat([flat, confident], 0), decay).item<double>();
        lateUniform.Should().BeApproximately(Math.Log(2) * Math.Exp(decay) / (1 + Math.Exp(decay)), 1e-12);
        lateUniform.Should().BeGreaterThan(earlyUniform);
    }

    [Fact]
    public void KL_to_uniform_is_zero_at_uniform_bounded_by_ln_C_and_is_ln_C_minus_the_mean_entropy()
    {
        SuppressionLosses.KlToUniform(zeros([2, 5, 3], float64)).item<double>().Should().BeApproximately(0, 1e-15);
        var confident = HeldScalars.Full([2, 5, 3], -30.0, float64);
        HeldScalars.With(30.0, s => confident.select(2, 1).fill_(s));
        SuppressionLosses.KlToUniform(confident).item<double>().Should().BeApproximately(Math.Log(3), 1e-12, "one-hot predictions are ln C from uniform");
        for (var seed = 0; seed < 10; seed++)
        {
            var z = Logits(seed, 2, 5, 3, 4);
            var kl = SuppressionLosses.KlToUniform(z).item<double>();
            kl.Should().BeInRange(1e-9, Math.Log(3));
            kl.Should().BeApproximately(Math.Log(3) - SuppressionLosses.WeightedEntropy(z, 0).item<double>(), 1e-14);
        }
    }

    [Fact]
    public void Inverse_cross_entropy_is_bounded_below_where_plain_cross_entropy_grows_and_stays_finite_when_confidently_right()
    {
        var labels = tensor(new long[] { 0, 1, 1 });
        Tensor Margin(double m, ScalarType dtype) =>
            tensor(new[] { m, -m, -m, m, -m, m }, [1, 3, 2], float64).to_type(dtype);   // positive m: confidently right
        foreach (var m in new[] { -5.0, -15.0, -30.0 })
        {
            var z = Margin(m, float64);
            var ce = F.cross_entropy(z.reshape(3, 2), labels).item<double>();
            var inverse = SuppressionLosses.InverseCrossEntropy(z, labels).item<double>();
            ce.Should().BeGreaterThan(-2 * m - 1, "plain CE grows with how confidently wrong the attacker is");
            inverse.Should().BeInRange(0, Math.Exp(2 * m) * 1.01, "the inverse CE goes to its floor, 0");
        }
        foreach (var dtype in new[] { float64, float32 })
        {
            var z = Margin(1e4, dtype).requires_grad_(true);
            var value = SuppressionLosses.InverseCrossEntropy(z, labels);
            value.Value().Should().BeApproximately(2e4, 1, $"−log(1 − p) ≈ the margin, finite in {dtype} where 1 − p rounds to 0");
            var grad = autograd.grad([value], [z])[0];
            grad.isfinite().all().item<bool>().Should().BeTrue();
            grad.abs().max().Value().Should().BeGreaterThan(0.1, "and still pushes the attacker away from the true class");
        }

        // Against the definition, and for two classes against SOPHON's CE(1 − z, y).
        var three = Logits(4, 2, 3, 3, 2);
        var direct = -F.softmax(three, -1).gather(2, labels.expand(2, 3).unsqueeze(2)).SubtractedFrom(1).log().mean().item<double>();
        SuppressionLosses.InverseCrossEntropy(three, labels).item<double>().Should().BeApproximately(direct, 1e-13);
        var two = Logits(5, 2, 3, 2, 3);
        var sophon = F.cross_entropy(two.SubtractedFrom(1).reshape(6, 2), labels.repeat(2)).item<double>();
        SuppressionLosses.InverseCrossEntropy(two, labels).item<double>().Should().BeApproximately(sophon, 1e-13);
    }

    private static List<Tensor> States(int seed, long n, long t, long h, int layers)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, layers + 1).Select(_ =>
            tensor(Enumerable.Range(0, (int)(n * t * h)).Select(_ => 2 * random.NextDouble() - 1).ToArray(), [n, t, h], float64)).ToList();
    }

    [Fact]
    public void Class_separability_is_zero_for_indistinguishable_classes_positive_for_separated_ones_and_ignores_padding_and_embeddings()
    {
        long[] harmful = [0, 1, 0, 1];
        var padded = tensor(new long[] { 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1 }, [4, 3]);   // token 2 of rows 0 and 1 is padding
        var full = ones([4, 3], int64);
        var states = States(1, 4, 3, 8, layers: 2);
        List<Tensor> Edit(Action<Tensor, int> edit) => states.Select((s, layer) => { var c = s.clone(); edit(c, layer); return c; }).ToList();

        // Class 1's rows copy class 0's on their real tokens: the classes' pooled states are the same sets.
        var same = Edit((c, _) =>
        {
            c[1].copy_(c[0]);
            c[3].copy_(c[2]);
            HeldScalars.With(7.0, s => c[1, 2].fill_(s));
        });
        SuppressionLosses.ClassSeparability(same, padded, harmful).item<double>().Should().BeApproximately(0, 1e-15);
        var separated = same.Select(s => s + tensor(new[] { 0.0, 1, 0, 1 }, float64).view(4, 1, 1)).ToList();
        SuppressionLosses.ClassSeparability(separated, padded, harmful).item<double>()
            .Should().BeInRange(1e-3, 2, "moving class 1 away makes the classes separable; MMD² ≤ 2");

        var baseline = SuppressionLosses.ClassSeparability(states, padded, harmful).item<double>();
        var atToken = Edit((c, _) => HeldScalars.With(100.0, s => c[1, 2].fill_(s)));
        SuppressionLosses.ClassSeparability(atToken, padded, harmful).item<double>().Should().Be(baseline, "a padding token does not count");
        SuppressionLosses.ClassSeparability(atToken, full, harmful).item<double>()
            .Should().NotBe(SuppressionLosses.ClassSeparability(states, full, harmful).item<double>(), "a real token does");
        SuppressionLosses.ClassSeparability(Edit((c, layer) => { if (layer == 0) HeldScalars.With(5.0, s => c.add_(s)); }), padded, harmful).item<double>()
            .Should().Be(baseline, "only the layers' outputs count, not the embeddings'");
        SuppressionLosses.ClassSeparability(states, padded, [1, 1, 1, 1]).item<double>().Should().Be(0, "one class: nothing to separate");
    }

    [Fact]
    public void Class_mean_gap_is_the_unbiased_squared_mean_distance_over_the_variance_and_ignores_padding_embeddings_and_translation()
    {
        long[] harmful = [0, 1, 0, 1, 1, 0, 2];   // class 2 has one example: no within-class pair, so no pair with it counts
        var mask = tensor(new long[] { 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1 }, [7, 3]);
        var states = States(4, 7, 3, 5, layers: 2);

        // Independent computation on host arrays: per layer, ‖μ̂_0 − μ̂_1‖² − s²_0/n_0 − s²_1/n_1 (s² the unbiased total
        // variance of a class) over mean_n ‖z_n − z̄‖².
        var m = mask.to(float64).data<double>().ToArray();
        double Layer(Tensor layer)
        {
            var x = layer.data<double>().ToArray();
            var pooled = Enumerable.Range(0, 7).Select(n =>
            {
                var count = Enumerable.Range(0, 3).Sum(t => m[n * 3 + t]);
                return Enumerable.Range(0, 5).Select(h => Enumerable.Range(0, 3).Sum(t => m[n * 3 + t] * x[(n * 3 + t) * 5 + h]) / count).ToArray();
            }).ToArray();
            double[] Mean(IEnumerable<double[]> zs) => Enumerable.Range(0, 5).Select(h => zs.Average(z => z[h])).ToArray();
            double Sq(double[] a, double[] b) => a.Zip(b, (p, q) => (p - q) * (p - q)).Sum();
            var classes = new[] { 0L, 1L }.Select(c => pooled.Where((_, n) => harmful[n] == c).ToArray()).ToArray();
            var means = classes.Select(Mean).ToArray();
            var gap = Sq(means[0], means[1]) - classes.Select((zs, c) => zs.Sum(z => Sq(z, means[c])) / (zs.Length - 1) / zs.Length).Sum();
            var all = Mean(pooled);
            return gap / pooled.Average(z => Sq(z, all));
        }
        var expected = states.Skip(1).Average(Layer);
        var actual = SuppressionLosses.ClassMeanGap(states, mask, harmful).item<double>();
        actual.Should().BeApproximately(expected, 1e-12);

        List<Tensor> Edit(Action<Tensor, int> edit) => states.Select((s, layer) => { var c = s.clone(); edit(c, layer); return c; }).ToList();
        SuppressionLosses.ClassMeanGap(Edit((c, _) => HeldScalars.With(3.0, s => c.add_(s))), mask, harmful).item<double>()
            .Should().BeApproximately(actual, 1e-12, "moving every state by the same vector changes no class mean gap");
        SuppressionLosses.ClassMeanGap(Edit((c, _) => HeldScalars.With(100.0, s => c[0, 2].fill_(s))), mask, harmful).item<double>()
            .Should().Be(actual, "a padding token does not count");
        SuppressionLosses.ClassMeanGap(Edit((c, layer) => { if (layer == 0) HeldScalars.With(5.0, s => c.mul_(s)); }), mask, harmful).item<double>()
            .Should().Be(actual, "only the layers' outputs count, not the embeddings'");
        SuppressionLosses.ClassMeanGap(Edit((c, _) => HeldScalars.With(4.0, s => c.mul_(s))), mask, harmful).item<double>()
            .Should().BeApproximately(actual, 1e-12, "the ratio does not depend on the states' scale");
        SuppressionLosses.ClassMeanGap(states, mask, [0, 1, 2, 3, 4, 5, 6]).item<double>().Should().Be(0, "no class has two examples");
    }

    /// <summary>States collapsed onto a large common vector, as a diverging attacker leaves them: in float32 the gap must
    /// still equal the float64 value. An uncentred Gram matrix subtracts inner products of about 10⁶ to find differences
    /// of about 10⁻², beyond float32's 7 digits (issue 11's run A11 logged a ratio of 124 where at most N²/(n_a·n_b) is
    /// possible).</summary>
    [Fact]
    public void Class_mean_gap_is_exact_in_float32_when_the_states_share_a_large_common_vector()
    {
        long[] harmful = [0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0];
        var mask = ones([12, 2], int64);
        var small = States(31, 12, 2, 16, layers: 1);
        var common = HeldScalars.Full([1, 1, 16], 250.0, float64, CPU);
        var collapsed = small.Select(s => s.Times(0.05) + common).ToList();
        var exact = SuppressionLosses.ClassMeanGap(collapsed, mask, harmful).item<double>();
        var single = SuppressionLosses.ClassMeanGap(collapsed.Select(s => s.to(float32)).ToList(), mask, harmful).to(float64).item<double>();
        single.Should().BeApproximately(exact, 1e-3 + 1e-3 * Math.Abs(exact));
        SuppressionLosses.ClassMeanGap(small, mask, harmful).item<double>().Should().BeApproximately(exact, 1e-9, "the same states without the common vector, rescaled");
    }

    [Fact]
    public void Class_mean_gap_averages_to_zero_when_the_classes_are_alike_where_the_biased_mmd_does_not()
    {
        // 400 batches of 12 (6 per class) drawn from one distribution: the class labels carry nothing. The mean gap's
        // batch estimates scatter around 0; the Gaussian MMD² (V-statistic) stays above 0 on every batch.
        long[] harmful = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
        var mask = ones([12, 2], int64);
        var gaps = new List<double>();
        var mmds = new List<double>();
        for (var b = 0; b < 400; b++)
        {
            var states = States(100 + b, 12, 2, 6, layers: 1);
            gaps.Add(SuppressionLosses.ClassMeanGap(states, mask, harmful).item<double>());
            mmds.Add(SuppressionLosses.ClassSeparability(states, mask, harmful).item<double>());
        }
        var mean = gaps.Average();
        var standardError = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / (gaps.Count - 1) / gaps.Count);
        Math.Abs(mean).Should().BeLessThan(3 * standardError, $"unbiased: mean {mean:G4}, standard error {standardError:G4}");
        gaps.Should().Contain(g => g < 0, "an unbiased estimate of 0 falls below it on some batches");
        mmds.Min().Should().BeGreaterThan(0, "the biased estimate has a floor above 0");

        // With class 1 shifted, the gap is clearly positive.
        var shifted = States(7, 12, 2, 6, layers: 1).Select(s => s + tensor(harmful.Select(l => 0.5 * l).ToArray(), float64).view(12, 1, 1)).ToList();
        SuppressionLosses.ClassMeanGap(shifted, mask, harmful).item<double>().Should().BeGreaterThan(0.1);
    }

    /// <summary>λ·term enters the outer loss with the sign its summary gives, on top of the other terms, and λ = 0 leaves
    /// the outer loss exactly as it was.</summary>
    [Theory]
    [InlineData(LossSignTests.Term.Entropy, -1)]
    [InlineData(LossSignTests.Term.KlUniform, +1)]
    [InlineData(LossSignTests.Term.InverseCrossEntropy, +1)]
    [InlineData(LossSignTests.Term.Representation, +1)]
    [InlineData(LossSignTests.Term.Erasure, +1)]
    [InlineData(LossSignTests.Term.MetaErasure, +1)]
    public void Each_suppression_weight_enters_the_outer_loss_with_its_sign(LossSignTests.Term term, int sign)
    {
        using var state = TinySetup.State(seed: 3);
        var plan = TinySetup.Plan(innerSteps: 2, outerSeed: TinySetup.OuterSeedFor(term));
        var baseWeights = new MlacLossWeights { Desired = 1, HeadAdjustment = 1, GradientPenalty = 0.5 };
        var off = MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = baseWeights });
        var on = MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = Combine(baseWeights, term, 0.7) });
        var quantity = LossSignTests.Quantity(on, term);
        Math.Abs(quantity).Should().BeGreaterThan(1e-6, "the term is not vacuous on this batch (the unbiased mean gap may be negative)");
        (on.Outer.item<double>() - off.Outer.item<double>()).Should().BeApproximately(sign * 0.7 * quantity, 1e-12);
        var zero = MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = Combine(baseWeights, term, 0) });
        zero.Outer.item<double>().Should().Be(off.Outer.item<double>());
    }

    private static MlacLossWeights Combine(MlacLossWeights weights, LossSignTests.Term term, double lambda)
    {
        var only = LossSignTests.Only(term, lambda);
        return weights with
        {
            Entropy = only.Entropy, KlUniform = only.KlUniform, InverseCrossEntropy = only.InverseCrossEntropy, Representation = only.Representation,
            Erasure = only.Erasure, MetaErasure = only.MetaErasure,
        };
    }

    [Fact]
    public void The_encoder_returns_every_layers_hidden_states_only_on_request()
    {
        using var state = TinySetup.State(seed: 2);
        var batch = PreparedBatch.Upload(TinySetup.Batch(4, 3), CPU);
        using var plain = BertEncoder.Forward(TinySetup.Config, state.Encoder.Tensors, batch.Ids, batch.Mask, batch.Types);
        plain.HiddenStates.Should().BeEmpty();
        using var withStates = BertEncoder.Forward(TinySetup.Config, state.Encoder.Tensors, batch.Ids, batch.Mask, batch.Types, outputHiddenStates: true);
        withStates.HiddenStates.Should().HaveCount(TinySetup.Config.NumHiddenLayers + 1);
        withStates.HiddenStates[^1].Should().BeSameAs(withStates.LastHiddenState);
        (withStates.LastHiddenState - plain.LastHiddenState).abs().max().item<double>().Should().Be(0, "asking for them changes nothing");
        (withStates.HiddenStates[0] - withStates.HiddenStates[1]).abs().max().item<double>().Should().BeGreaterThan(0);
        withStates.HiddenStates.Should().OnlyContain(h => !h.IsInvalid, "they outlive the forward's own dispose scope");

        // ... and belong to the caller's scope, as the last hidden state does: none escapes it.
        EncoderOutput scoped;
        using (NewDisposeScope())
        {
            scoped = BertEncoder.Forward(TinySetup.Config, state.Encoder.Tensors, batch.Ids, batch.Mask, batch.Types, outputHiddenStates: true);
            scoped.HiddenStates.Should().OnlyContain(h => !h.IsInvalid);
        }
        scoped.HiddenStates.Should().OnlyContain(h => h.IsInvalid);
        scoped.Dispose();
    }

    [Fact]
    public void The_mlac_preset_has_the_weights_of_the_reference_bios_config()
    {
        // Breakend/SelfDestructingModels config/experiment/bios.yaml: l_linear_mi 1.0, l_bad_adapted_grad 1.0, l_good_base 1.0,
        // max_adapt_steps 16, batch_size_search_space [12, 24, 48]; config.yaml: l_bad_adapted 0.0.
        var mlac = MlacPresets.Get("mlac");
        mlac.Objective.Weights.Should().Be(new MlacLossWeights { Desired = 1, HeadAdjustment = 1, GradientPenalty = 1, Harmful = 0 });
        mlac.InnerSteps.Should().Be(16);
        mlac.InnerBatchSizes.Should().Equal(12, 24, 48);
        MlacPresets.Get("head-adjustment").Objective.Weights.GradientPenalty.Should().Be(0);
        MlacPresets.Names.Should().AllSatisfy(name => MlacPresets.Get(name).Validate());
    }
}
