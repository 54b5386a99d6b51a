// These tests hold our code to TorchSharp's own torch.optim and torch.normal, the APIs MLAC0002 keeps out of src/.
#pragma warning disable MLAC0002
using MlacRelease.Tests.Shared;
using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MlacRelease.Training.Tests;

/// <summary>
/// The first-order long-horizon rollout: its outer gradient is the sum over evaluation points of the first-order
/// gradients of the suppression loss at the attacker's fast weights. Checked against a straightforward implementation
/// written here (torch.optim attacker on dense copies of every weight, the loss terms written out), and against the
/// short rollout in first-order mode when the loss is taken at every step.
/// </summary>
public sealed class LongHorizonTests
{
    private static readonly MlacLossWeights Suppression = new() { Desired = 0, Harmful = 0.3, HeadAdjustment = 1, Entropy = 0.7, KlUniform = 0.4, InverseCrossEntropy = 0.5 };

    [Theory]
    [InlineData(InnerOptimizerKind.Adam)]
    [InlineData(InnerOptimizerKind.AdamW)]
    [InlineData(InnerOptimizerKind.SgdMomentum)]
    public void Long_horizon_gradient_is_the_sum_of_independently_computed_per_point_first_order_gradients(InnerOptimizerKind kind)
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 12);
        const int steps = 7, every = 3;                 // evaluation points 0, 3, 6 and 7
        const double lr = 0.05, clip = 0.8;            // a clip the tiny encoder's gradients exceed at some steps
        var plan = TinySetup.Plan(innerSteps: steps, headOnlySecond: true) with
        {
            Attacker = new AttackerDraw(AttackerFamily.FullFineTune, kind, lr, BenignSteps: 0, ClipNorm: clip),
            SuppressionEvery = every,
        };
        var options = new MlacObjectiveOptions { Weights = Suppression, EntropyStepDecay = 0.5 };
        var parameters = state.OuterParameters.ToList();
        var terms = MlacObjective.Compute(state, plan, options);
        var ours = autograd.grad([terms.Outer], parameters.Select(p => p.Tensor).ToList(), retain_graph: true, allow_unused: true);
        var oursHead = autograd.grad([terms.Attacker], [state.AttackerHead])[0];

        var reference = IndependentFirstOrderGradients(state, plan, kind, lr, clip, every, options);
        reference.Points.Should().Equal(0, 3, 6, 7);
        for (var i = 0; i < parameters.Count; i++)
        {
            var (name, tensor) = parameters[i];
            var expected = reference.Encoder.TryGetValue(name, out var e) ? e : zeros_like(tensor);
            var actual = ours[i] is { IsInvalid: false } g ? g : zeros_like(tensor);
            // Relative 1e-8: the two attackers round differently (torch.optim's fused in-place updates), and seven
            // steps of a tiny encoder amplify that; a wrong term or a missed point is off by far more.
            var scale = Math.Max(1e-3, expected.abs().max().Value());
            (actual - expected).abs().max().Value().Should().BeLessThan(1e-8 * scale, $"∂/∂{name}");
        }
        (oursHead - reference.Head).abs().max().Value().Should().BeLessThan(1e-8 * Math.Max(1e-3, reference.Head.abs().max().Value()), "the attacker head's gradient");
        terms.PerStepAttackerCrossEntropy.shape.Should().Equal([4L], "one attacker CE per evaluation point");

        // Not vacuous: the attacker moved, so the later points' gradients differ from the unadapted encoder's.
        var query = "encoder.layer.0.attention.self.query.weight";
        var (first, last) = (reference.PerPoint[0][query], reference.PerPoint[^1][query]);
        (last - first).abs().max().Value().Should().BeGreaterThan(1e-3 * first.abs().max().Value());
        reference.Encoder["embeddings.word_embeddings.weight"].narrow(0, 21, 10).abs().max().Value().Should().Be(0, "tokens that never occur");
    }

    [Theory]
    [InlineData(null, InnerOptimizerKind.Adam)]
    [InlineData(AttackerFamily.FullFineTune, InnerOptimizerKind.SgdMomentum)]
    [InlineData(AttackerFamily.Lora, InnerOptimizerKind.SgdMomentum)]
    [InlineData(AttackerFamily.HeadOnly, InnerOptimizerKind.Adam)]
    [InlineData(AttackerFamily.BenignThenHarmful, InnerOptimizerKind.Adam)]
    [InlineData(AttackerFamily.ReinitTopLayers, InnerOptimizerKind.Adam)]
    /// <remarks>Not AdamW: the short rollout's first-order mode still differentiates through AdamW's decay factor
    /// (1 − lr·λ)^k, where the long rollout's straight-through Jacobian is the identity (first-order MAML's); the
    /// independent test above covers AdamW.</remarks>
    public void With_the_loss_taken_at_every_step_the_long_rollout_equals_the_short_rollout_in_first_order_mode(AttackerFamily? family, InnerOptimizerKind kind)
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 13);
        const int steps = 4;
        var plan = TinySetup.Plan(innerSteps: steps, headOnlySecond: family != AttackerFamily.BenignThenHarmful);
        if (family is { } f)
        {
            plan = plan with
            {
                Attacker = new AttackerDraw(f, kind, 0.04, BenignSteps: f == AttackerFamily.BenignThenHarmful ? 2 : 0, ClipNorm: 5)
                {
                    Reinit = f == AttackerFamily.ReinitTopLayers ? (1, 5UL) : null,
                },
                Lora = f == AttackerFamily.Lora ? new LoraRollout(Rank: 2, Alpha: 4, LearningRate: 0.04, Seed: 3) : null,
                HeadOnly = f == AttackerFamily.HeadOnly ? Enumerable.Repeat(true, steps).ToList() : plan.HeadOnly,
            };
        }
        // Meta-erasure on, on an outer batch with two examples of each harmful class (else its gap is 0).
        plan = plan with { Outer = TinySetup.Batch(TinySetup.OuterSeedWithTwoPerClass, 6) };
        var options = new MlacObjectiveOptions { Weights = Suppression with { Desired = 1, MetaErasure = 0.6 }, EntropyStepDecay = 0.3, AttackerLearningRateMax = 0.1 };
        var parameters = state.OuterParameters.Select(p => p.Tensor).ToList();
        var shortTerms = MlacObjective.Compute(state, plan, options with { FirstOrder = true });
        var longTerms = MlacObjective.Compute(state, plan with { SuppressionEvery = 1 }, options);
        var a = autograd.grad([shortTerms.Outer], parameters, retain_graph: true, allow_unused: true);
        var b = autograd.grad([longTerms.Outer], parameters, retain_graph: true, allow_unused: true);
        for (var i = 0; i < parameters.Count; i++)
        {
            var scale = Math.Max(1e-3, a[i].abs().max().Value());
            // 1e-10 of the largest entry. Before the head-adjustment solver finished with Newton steps, this batch needed 1e-8:
            // the long path's evaluation point s + (φ − s).detach() differs from φ by rounding, and the loss-based solver
            // turned that into a W* 1e-8 away (the gradient reads W* through Danskin's theorem). A wrong gradient differs at
            // the scale of the gradient itself.
            (a[i] - b[i]).abs().max().Value().Should().BeLessThan(1e-10 * scale, $"parameter {state.OuterParameters[i].Name}");
        }
        var headA = autograd.grad([shortTerms.Attacker], [state.AttackerHead])[0];
        var headB = autograd.grad([longTerms.Attacker], [state.AttackerHead])[0];
        (headA - headB).abs().max().Value().Should().BeLessThan(1e-10 * Math.Max(1e-3, headA.abs().max().Value()));
        foreach (var (x, y) in new[] { (shortTerms.Outer, longTerms.Outer), (shortTerms.Entropy, longTerms.Entropy), (shortTerms.HeadAdjusted, longTerms.HeadAdjusted),
                     (shortTerms.KlUniform, longTerms.KlUniform), (shortTerms.InverseCrossEntropy, longTerms.InverseCrossEntropy),
                     (shortTerms.AdaptedClassMeanGap, longTerms.AdaptedClassMeanGap) })
        {
            x.Value().Should().BeApproximately(y.Value(), 1e-12, "the logged values agree too");
        }
        (shortTerms.PerStepAttackerCrossEntropy - longTerms.PerStepAttackerCrossEntropy).abs().max().Value().Should().BeLessThan(1e-12);
        Math.Abs(longTerms.AdaptedClassMeanGap.Value()).Should().BeGreaterThan(1e-6, "the meta-erasure term is computed, not left at 0");
    }

    [Fact]
    public void A_long_rollout_frees_its_steps_and_leaves_the_encoder_untouched()
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 14);
        var before = state.OuterParameters.Select(p => p.Tensor.clone()).ToList();
        var plan = TinySetup.Plan(innerSteps: 40) with
        {
            Attacker = new AttackerDraw(AttackerFamily.BenignThenHarmful, InnerOptimizerKind.AdamW, 0.03, BenignSteps: 10, ClipNorm: 1),
            SuppressionEvery = 8,
        };
        var terms = MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = Suppression with { Desired = 1 } });
        var grads = autograd.grad([terms.Outer], state.OuterParameters.Select(p => p.Tensor).ToList(), allow_unused: true);
        grads.Should().OnlyContain(g => g.IsInvalid || double.IsFinite(g.abs().max().Value()));
        terms.PerStepAttackerCrossEntropy.shape.Should().Equal([6L], "points 0, 8, 16, 24, 32, 40");
        for (var i = 0; i < before.Count; i++)
        {
            (state.OuterParameters[i].Tensor - before[i]).abs().max().Value().Should().Be(0, "the rollout's fast weights are copies; freeing them must not touch θ");
        }
    }

    [Fact]
    public void The_gradient_penalty_is_refused_in_a_long_rollout()
    {
        using var state = TinySetup.State();
        var plan = TinySetup.Plan(innerSteps: 2) with { SuppressionEvery = 1 };
        var act = () => MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = new() { GradientPenalty = 1 } });
        act.Should().Throw<ArgumentException>().WithMessage("*second-order*");
    }

    [Fact]
    public void Evaluation_points_and_their_entropy_weights()
    {
        LongHorizonObjective.EvaluationPoints(16, 4).Should().Equal(0, 4, 8, 12, 16);
        LongHorizonObjective.EvaluationPoints(10, 4).Should().Equal(0, 4, 8, 10);
        LongHorizonObjective.EvaluationPoints(3, 1).Should().Equal(0, 1, 2, 3);
        var every = SuppressionLosses.EntropyPointWeights([0, 1, 2, 3], 3, 0.4);
        var reference = SuppressionLosses.EntropyStepWeights(4, 0.4, ScalarType.Float64, CPU).data<double>().ToArray();
        every.Zip(reference).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-15);
        var sparse = SuppressionLosses.EntropyPointWeights([0, 8, 16], 16, 0.1);
        sparse.Sum().Should().BeApproximately(1, 1e-15);
        (sparse[2] / sparse[1]).Should().BeApproximately(Math.Exp(0.8), 1e-12, "weights grow by e^{λ_t} per inner step, not per point");
    }

    private sealed record Reference(IReadOnlyList<int> Points, Dictionary<string, Tensor> Encoder, Tensor Head, List<Dictionary<string, Tensor>> PerPoint);

    /// <summary>
    /// The long rollout written out plainly: dense copies of every encoder weight and the head as torch parameters,
    /// updated by torch.optim with torch's own gradient clipping; at each evaluation point, fresh leaves holding the
    /// current values, the suppression loss computed from its formulas, and its gradient with respect to those leaves,
    /// summed over points (first-order MAML: the leaves' gradient is applied to the weights they started from).
    /// </summary>
    private static Reference IndependentFirstOrderGradients(MlacModelState state, RolloutPlan plan, InnerOptimizerKind kind, double lr, double clip, int every,
        MlacObjectiveOptions options)
    {
        var config = state.Encoder.Config;
        var names = state.Encoder.Tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        var fast = names.Select(n => new Parameter(state.Encoder[n].detach().clone())).ToList();
        var head = new Parameter(state.AttackerHead.detach().clone());
        var all = fast.Append(head).ToList();
        using optim.Optimizer optimizer = kind switch
        {
            InnerOptimizerKind.Adam => optim.Adam(all, lr),
            InnerOptimizerKind.AdamW => optim.AdamW(all, lr, weight_decay: 0.01),
            InnerOptimizerKind.SgdMomentum => optim.SGD(all, lr, momentum: 0.9),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        Tensor Logits(IReadOnlyList<Tensor> weights, Tensor h, LabeledBatch batch)
        {
            var map = names.Select((n, i) => (n, weights[i])).ToDictionary(x => x.n, x => x.Item2);
            var (ids, mask, types) = batch.Tokens.ToTensors();
            return BertEncoder.Forward(config, map, ids, mask, types).PooledOutput.matmul(h.t());
        }

        var k = plan.InnerSteps;
        var points = Enumerable.Range(0, k + 1).Where(c => c % every == 0 || c == k).ToList();
        var decay = options.EntropyStepDecay;
        var raw = points.Select(c => Math.Exp(decay * (c - k))).ToList();
        var entropyWeights = raw.Select(r => r / raw.Sum()).ToList();
        var w = options.Weights;
        var y = plan.Outer.HarmfulTensor();
        var encoderSum = names.ToDictionary(n => n, n => zeros_like(state.Encoder[n]));
        var headSum = zeros_like(state.AttackerHead);
        var perPoint = new List<Dictionary<string, Tensor>>();
        for (var completed = 0; ; completed++)
        {
            var j = points.IndexOf(completed);
            if (j >= 0)
            {
                var leaves = fast.Select(p => p.detach().clone().requires_grad_(true)).ToList();
                var headLeaf = head.detach().clone().requires_grad_(true);
                var z = Logits(leaves, headLeaf, plan.Outer);
                var c = z.shape[1];
                var ce = F.cross_entropy(z, y);
                var remap = HeadAdjustment.SolveBatch(z.unsqueeze(0), y)[0];
                var headAdjusted = F.cross_entropy(z.matmul(remap), y);
                var logP = F.log_softmax(z, 1);
                var p = logP.exp();
                var entropy = -(p * logP).sum(1).mean();
                var kl = (p * logP.Plus(Math.Log(c))).sum(1).mean();
                var inverse = -p.gather(1, y.unsqueeze(1)).SubtractedFrom(1).log().mean();
                var loss = (ce.Times(-w.Harmful) - headAdjusted.Times(w.HeadAdjustment) + kl.Times(w.KlUniform) + inverse.Times(w.InverseCrossEntropy)).Times(1.0 / points.Count)
                           - entropy.Times(entropyWeights[j] * w.Entropy);
                var grads = autograd.grad([loss], leaves, retain_graph: true);
                perPoint.Add(names.Select((n, i) => (n, grads[i])).ToDictionary(x => x.n, x => x.Item2));
                for (var i = 0; i < names.Count; i++) encoderSum[names[i]] = encoderSum[names[i]] + grads[i];
                headSum = headSum + autograd.grad([ce.Times(1.0 / points.Count)], [headLeaf])[0];
            }
            if (completed == k) break;
            var step = F.cross_entropy(Logits(fast, head, plan.Inner[completed]), plan.Inner[completed].HarmfulTensor());
            var targets = plan.HeadOnly[completed] ? [head] : all;
            var stepGrads = autograd.grad([step], targets.Cast<Tensor>().ToList());
            foreach (var parameter in all) parameter.grad = null;
            for (var i = 0; i < targets.Count; i++) targets[i].grad = stepGrads[i];
            nn.utils.clip_grad_norm_(targets, clip);
            NoCollection.Run(() => optimizer.step());
        }
        return new Reference(points, encoderSum, headSum, perPoint);
    }
}
