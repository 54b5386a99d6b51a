using MlacRelease.Core.Numerics;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>
/// Meta-erasure reads the class-mean gap from the simulated attacker's adapted encoder, not from θ: an attacker that
/// does not move leaves it equal to θ's own gap (the λ_erase term's), and an attacker that learns the harmful label
/// raises it. Its gradients are checked by finite differences in <see cref="MetaGradientTests"/> and against the
/// short rollout in <see cref="LongHorizonTests"/>.
/// </summary>
public sealed class MetaErasureTests
{
    private static readonly MlacLossWeights BothGaps = new() { Desired = 1, Erasure = 1, MetaErasure = 1 };

    private static RolloutPlan Plan(int innerSteps, double learningRate, int? every) =>
        TinySetup.Plan(innerSteps, outerSeed: TinySetup.OuterSeedWithTwoPerClass) with
        {
            Attacker = new AttackerDraw(AttackerFamily.FullFineTune, InnerOptimizerKind.Adam, learningRate, BenignSteps: 0, ClipNorm: 100),
            SuppressionEvery = every,
        };

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public void An_attacker_that_does_not_move_sees_the_encoders_own_gap(int? every)
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 21);
        var terms = MlacObjective.Compute(state, Plan(4, learningRate: 0, every), new MlacObjectiveOptions { Weights = BothGaps });
        var own = terms.ClassMeanGap.Value();
        Math.Abs(own).Should().BeGreaterThan(1e-4, "the tiny encoder's classes differ in mean, so the check is not 0 = 0");
        terms.AdaptedClassMeanGap.Value().Should().BeApproximately(own, 1e-12 * Math.Abs(own));
    }

    /// <summary>The term follows the attacker: the same θ and batches with a learning attacker give another adapted gap
    /// (on this tiny encoder a lower one: its fine-tuning spreads the states more than it moves the class means apart, so
    /// the test asserts a change, not its sign; the test above pins the unmoved attacker's gap to θ's within 1e-12), while
    /// θ's own gap is the same.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public void An_attacker_that_learns_changes_the_adapted_gap_but_not_the_encoders(int? every)
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 21);
        var still = MlacObjective.Compute(state, Plan(6, learningRate: 0, every), new MlacObjectiveOptions { Weights = BothGaps });
        var learning = MlacObjective.Compute(state, Plan(6, learningRate: 0.05, every), new MlacObjectiveOptions { Weights = BothGaps });
        learning.ClassMeanGap.Value().Should().Be(still.ClassMeanGap.Value(), "θ is the same");
        double Last(MlacTerms t) => t.PerStepAttackerCrossEntropy[t.PerStepAttackerCrossEntropy.shape[0] - 1].Value();
        Last(learning).Should().BeLessThan(Last(still), "the attacker learns");
        Math.Abs(learning.AdaptedClassMeanGap.Value() - still.AdaptedClassMeanGap.Value()).Should().BeGreaterThan(1e-3,
            "the gap is read from the attacker's fine-tuned weights, not from θ");
    }

    [Fact]
    public void Without_its_weight_the_term_is_not_computed_and_the_loss_is_unchanged()
    {
        using var scope = NewDisposeScope();
        using var state = TinySetup.State(seed: 21);
        var plan = Plan(3, learningRate: 0.05, every: null);
        var off = MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = BothGaps with { MetaErasure = 0 } });
        var on = MlacObjective.Compute(state, plan, new MlacObjectiveOptions { Weights = BothGaps });
        off.AdaptedClassMeanGap.Value().Should().Be(0);
        on.Outer.Value().Should().BeApproximately(off.Outer.Value() + on.AdaptedClassMeanGap.Value(), 1e-12, "λ_meta_erase 1 adds the gap once");
    }
}
