using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>
/// The outer gradient flows through every inner step of the simulated attacker. Checked against central finite
/// differences of the whole objective in float64, for both inner optimisers, with the gradient-norm penalty on
/// (it is itself a function of first derivatives, so its gradient needs second derivatives).
/// </summary>
public sealed class MetaGradientTests
{
    private static readonly MlacLossWeights Smooth = new() { Desired = 1, Harmful = 1, GradientPenalty = 0.3, HeadAdjustment = 0 };

    private static double Objective(MlacModelState state, RolloutPlan plan, MlacObjectiveOptions options) =>
        MlacObjective.Compute(state, plan, options).Outer.item<double>();

    [Theory]
    [InlineData(InnerOptimizerKind.Adam)]
    [InlineData(InnerOptimizerKind.Sgd)]
    public void Outer_gradient_through_the_inner_loop_matches_finite_differences(InnerOptimizerKind kind)
    {
        using var state = TinySetup.State();
        var plan = TinySetup.Plan(innerSteps: 3, headOnlySecond: true);
        AssertMatchesFiniteDifferences(state, plan, new MlacObjectiveOptions { Weights = Smooth, InnerOptimizer = kind });
    }

    [Theory]
    [InlineData(InnerOptimizerKind.Adam)]
    [InlineData(InnerOptimizerKind.Sgd)]
    public void Outer_gradient_through_a_LoRA_attacker_matches_finite_differences(InnerOptimizerKind kind)
    {
        using var state = TinySetup.State(seed: 6);
        var plan = TinySetup.Plan(innerSteps: 3, headOnlySecond: true) with { Lora = new LoraRollout(Rank: 2, Alpha: 4, LearningRate: 0.05, Seed: 7) };
        AssertMatchesFiniteDifferences(state, plan, new MlacObjectiveOptions { Weights = Smooth, InnerOptimizer = kind });
    }

    /// <summary>The realistic mix's attackers, second order: AdamW's decay, SGD's momentum, the benign phase (whose head
    /// swap and fresh optimiser sit inside the graph) and a LoRA draw, each at a drawn learning rate and the batteries'
    /// clip of 1 (active on this encoder, so the gradient runs through the clip's scaling too).</summary>
    [Theory]
    [InlineData(AttackerFamily.FullFineTune, InnerOptimizerKind.AdamW)]
    [InlineData(AttackerFamily.FullFineTune, InnerOptimizerKind.SgdMomentum)]
    [InlineData(AttackerFamily.BenignThenHarmful, InnerOptimizerKind.AdamW)]
    [InlineData(AttackerFamily.Lora, InnerOptimizerKind.SgdMomentum)]
    [InlineData(AttackerFamily.ReinitTopLayers, InnerOptimizerKind.Adam)]
    public void Outer_gradient_through_a_drawn_attacker_matches_finite_differences(AttackerFamily family, InnerOptimizerKind kind)
    {
        using var state = TinySetup.State(seed: 8);
        var benign = family == AttackerFamily.BenignThenHarmful;
        var plan = TinySetup.Plan(innerSteps: 3, headOnlySecond: !benign) with
        {
            Attacker = new AttackerDraw(family, kind, 0.05, BenignSteps: benign ? 1 : 0, ClipNorm: 1)
            {
                Reinit = family == AttackerFamily.ReinitTopLayers ? (1, 11UL) : null,
            },
            Lora = family == AttackerFamily.Lora ? new LoraRollout(Rank: 2, Alpha: 4, LearningRate: 0.05, Seed: 7) : null,
        };
        AssertMatchesFiniteDifferences(state, plan, new MlacObjectiveOptions { Weights = Smooth });
    }

    /// <summary>Each bounded suppression term alone: its gradient reaches θ, the attacker's head and its learning rate
    /// through all three inner steps (the representation and erasure terms need no inner loop: only θ moves them;
    /// meta-erasure reads the adapted encoder, so the attacker's learning rate moves it too).</summary>
    [Theory]
    [InlineData(LossSignTests.Term.Entropy)]
    [InlineData(LossSignTests.Term.KlUniform)]
    [InlineData(LossSignTests.Term.InverseCrossEntropy)]
    [InlineData(LossSignTests.Term.Representation)]
    [InlineData(LossSignTests.Term.Erasure)]
    [InlineData(LossSignTests.Term.MetaErasure)]
    public void Outer_gradient_of_each_suppression_term_matches_finite_differences(LossSignTests.Term term)
    {
        using var state = TinySetup.State(seed: 9);
        var plan = TinySetup.Plan(innerSteps: 3, headOnlySecond: true, outerSeed: TinySetup.OuterSeedFor(term));
        // A steep step decay, so a weighting that ignored it would change the gradient measurably; the attacker's
        // learning rate (0.05) unclamped, so its derivative, which exists only through the inner loop, is not zero.
        var options = new MlacObjectiveOptions { Weights = LossSignTests.Only(term), EntropyStepDecay = 0.7, AttackerLearningRateMax = 0.1 };
        AssertMatchesFiniteDifferences(state, plan, options, skipProbability: 0.75, minimumChecked: 8);
        if (term is LossSignTests.Term.Representation or LossSignTests.Term.Erasure) return;
        var lr = autograd.grad([MlacObjective.Compute(state, plan, options).Outer], [state.AttackerLearningRate], allow_unused: true)[0];
        lr.IsInvalid.Should().BeFalse("the term depends on the attacker's learning rate only through the inner loop");
        Math.Abs(lr.item<double>()).Should().BeGreaterThan(1e-6, "the inner loop carries the term's gradient");
    }

    internal static void AssertMatchesFiniteDifferences(MlacModelState state, RolloutPlan plan, MlacObjectiveOptions options,
        double skipProbability = 0.5, int minimumChecked = 11)
    {
        var parameters = state.OuterParameters.Concat(state.AttackerParameters).ToList();
        var terms = MlacObjective.Compute(state, plan, options);
        var grads = autograd.grad([terms.Outer], parameters.Select(p => p.Tensor).ToList(), allow_unused: true);

        var random = new Random(3);
        var checkedCount = 0;
        for (var i = 0; i < parameters.Count; i++)
        {
            var (name, tensor) = parameters[i];
            if (name == "attacker.learning_rate" || random.NextDouble() < skipProbability || name == "head.desired.weight" && checkedCount > 0)
            {
                if (name != "attacker.learning_rate" && name != "encoder.layer.0.attention.self.query.weight") continue;
            }
            var coordinate = random.NextInt64(tensor.numel());
            var exact = grads[i] is { } g && !g.IsInvalid ? g.reshape(-1)[coordinate].item<double>() : 0.0;
            var numeric = Central(state, plan, options, tensor, coordinate, 1e-6);
            Math.Abs(exact - numeric).Should().BeLessThan(1e-7 + 1e-5 * Math.Abs(exact), $"∂/∂{name}[{coordinate}]: autograd {exact:G12}, finite difference {numeric:G12}");
            checkedCount++;
        }
        checkedCount.Should().BeGreaterThanOrEqualTo(minimumChecked);
    }

    private static double Central(MlacModelState state, RolloutPlan plan, MlacObjectiveOptions options, Tensor tensor, long coordinate, double h)
    {
        double At(double delta)
        {
            using (no_grad()) HeldScalars.With(delta, s => tensor.reshape(-1)[coordinate].add_(s));
            try
            {
                return Objective(state, plan, options);
            }
            finally
            {
                using (no_grad()) HeldScalars.With(delta, s => tensor.reshape(-1)[coordinate].sub_(s));
            }
        }
        return (At(h) - At(-h)) / (2 * h);
    }

    [Fact]
    public void Sparse_embedding_fast_weights_give_exactly_the_dense_gradients()
    {
        using var state = TinySetup.State(seed: 4);
        var plan = TinySetup.Plan(innerSteps: 3);
        var parameters = state.OuterParameters.Select(p => p.Tensor).Concat(state.AttackerParameters.Select(p => p.Tensor)).ToList();
        var weights = new MlacLossWeights { Desired = 1, Harmful = 0.5, GradientPenalty = 0.2, HeadAdjustment = 1 };
        var dense = autograd.grad([MlacObjective.Compute(state, plan, new() { Weights = weights, SparseEmbeddings = false }).Outer], parameters, allow_unused: true);
        var sparse = autograd.grad([MlacObjective.Compute(state, plan, new() { Weights = weights, SparseEmbeddings = true }).Outer], parameters, allow_unused: true);
        for (var i = 0; i < parameters.Count; i++)
        {
            var difference = (dense[i] - sparse[i]).abs().max().item<double>();
            var scale = dense[i].abs().max().item<double>();
            difference.Should().BeLessThanOrEqualTo(1e-12 * Math.Max(1, scale), $"parameter {i}");
        }
        var wordIndex = state.OuterParameters.Select(p => p.Name).ToList().IndexOf(BertParameterNames.WordEmbeddings);
        sparse[wordIndex].narrow(0, 21, 10).abs().max().item<double>().Should().Be(0, "rows of tokens that never occur get no gradient");
        sparse[wordIndex].narrow(0, 2, 19).abs().max().item<double>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void A_LoRA_attacker_starts_from_the_encoder_exactly_and_then_moves_only_through_its_adapters()
    {
        using var state = TinySetup.State(seed: 7);
        var loraRollout = new LoraRollout(Rank: 2, Alpha: 4, LearningRate: 0.05, Seed: 8);
        var full = new FastWeightLayout(state.Encoder, sparseEmbeddings: false, []);
        var adapters = new LoraFastWeights(state.Encoder, loraRollout);
        var batch = TinySetup.Batch(3, 5);
        var phi = adapters.Initial(state.Encoder, state.AttackerHead);
        phi.Should().HaveCount(2 * 6 * TinySetup.Config.NumHiddenLayers + 1, "A and B for six projections per layer, then the head");
        using var reference = full.Forward(full.Initial(state.Encoder, state.AttackerHead), full.Prepare(batch));
        using var start = adapters.Forward(phi, adapters.Prepare(batch));
        (start.LastHiddenState - reference.LastHiddenState).abs().max().item<double>().Should().Be(0, "B starts at zero");

        // One inner step: B moves, A gets no gradient yet (∂/∂A = Bᵀ·… = 0), and the model changes.
        var plan = TinySetup.Plan(innerSteps: 1) with { Lora = loraRollout };
        var terms = MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = new() { Desired = 0, Harmful = 1, HeadAdjustment = 0 } });
        terms.PerStepAttackerCrossEntropy.shape.Should().Equal([2L]);
        (terms.PerStepAttackerCrossEntropy[1] - terms.PerStepAttackerCrossEntropy[0]).abs().item<double>().Should().BeGreaterThan(1e-6);

        // Same seed, same adapters; another seed, other A matrices.
        var again = new LoraFastWeights(state.Encoder, loraRollout).Initial(state.Encoder, state.AttackerHead);
        (again[0] - phi[0]).abs().max().item<double>().Should().Be(0);
        var other = new LoraFastWeights(state.Encoder, loraRollout with { Seed = 9 }).Initial(state.Encoder, state.AttackerHead);
        (other[0] - phi[0]).abs().max().item<double>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void First_order_mode_drops_exactly_the_second_order_terms()
    {
        using var state = TinySetup.State(seed: 5);
        var plan = TinySetup.Plan(innerSteps: 2);
        var p = state.OuterParameters.Select(x => x.Tensor).ToList();
        var weights = new MlacLossWeights { Desired = 1, Harmful = 1, HeadAdjustment = 0 };
        var second = autograd.grad([MlacObjective.Compute(state, plan, new() { Weights = weights }).Outer], p, allow_unused: true);
        var first = autograd.grad([MlacObjective.Compute(state, plan, new() { Weights = weights, FirstOrder = true }).Outer], p, allow_unused: true);
        var difference = p.Select((_, i) => (second[i] - first[i]).abs().max().item<double>()).Max();
        difference.Should().BeGreaterThan(1e-4, "the attacker's adaptation depends on θ through its gradients");
        // With no inner steps there is nothing to differentiate through: both modes agree exactly.
        var none = TinySetup.Plan(innerSteps: 0);
        var a = autograd.grad([MlacObjective.Compute(state, none, new() { Weights = weights }).Outer], p, allow_unused: true);
        var b = autograd.grad([MlacObjective.Compute(state, none, new() { Weights = weights, FirstOrder = true }).Outer], p, allow_unused: true);
        p.Select((_, i) => (a[i] - b[i]).abs().max().item<double>()).Max().Should().Be(0);
    }
}
