using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using MlacRelease.Training.Objective;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>Each term, alone, moves its quantity the intended way when θ takes a small gradient step on it.</summary>
public sealed class LossSignTests
{
    public enum Term { Desired, AttackerLoss, GradientNorm, HeadAdjusted, Distillation, Entropy, KlUniform, InverseCrossEntropy, Representation, Erasure, MetaErasure }

    public static double Quantity(MlacTerms t, Term term) => term switch
    {
        Term.Desired => t.Desired.item<double>(),
        Term.AttackerLoss => t.AttackerCrossEntropy.item<double>(),
        Term.GradientNorm => t.GradientNorm.item<double>(),
        Term.HeadAdjusted => t.HeadAdjusted.item<double>(),
        Term.Distillation => t.Distillation.item<double>(),
        Term.Entropy => t.Entropy.item<double>(),
        Term.KlUniform => t.KlUniform.item<double>(),
        Term.InverseCrossEntropy => t.InverseCrossEntropy.item<double>(),
        Term.Representation => t.RepresentationSeparability.item<double>(),
        Term.Erasure => t.ClassMeanGap.item<double>(),
        Term.MetaErasure => t.AdaptedClassMeanGap.item<double>(),
        _ => throw new ArgumentOutOfRangeException(nameof(term)),
    };

    /// <summary>Weights with only <paramref name="term"/> on, at <paramref name="lambda"/>.</summary>
    public static MlacLossWeights Only(Term term, double lambda = 1) => new()
    {
        Desired = term == Term.Desired ? lambda : 0,
        Harmful = term == Term.AttackerLoss ? lambda : 0,
        GradientPenalty = term == Term.GradientNorm ? lambda : 0,
        HeadAdjustment = term == Term.HeadAdjusted ? lambda : 0,
        Distillation = term == Term.Distillation ? lambda : 0,
        Entropy = term == Term.Entropy ? lambda : 0,
        KlUniform = term == Term.KlUniform ? lambda : 0,
        InverseCrossEntropy = term == Term.InverseCrossEntropy ? lambda : 0,
        Representation = term == Term.Representation ? lambda : 0,
        Erasure = term == Term.Erasure ? lambda : 0,
        MetaErasure = term == Term.MetaErasure ? lambda : 0,
    };

    [Theory]
    [InlineData(Term.Desired, -1)]       // λ_desired: desired-task loss goes down
    [InlineData(Term.AttackerLoss, +1)]  // λ_harmful: the attacker's harmful loss goes up
    [InlineData(Term.GradientNorm, -1)]  // λ_grad: the attacker's gradients get flatter
    [InlineData(Term.HeadAdjusted, +1)]  // λ_lin: even the best remap of the attacker's logits does worse
    [InlineData(Term.Distillation, -1)]  // λ_distill: hidden states move back towards the original's
    [InlineData(Term.Entropy, +1)]       // λ_entropy: the attacker's predictions get closer to uniform at every step
    [InlineData(Term.KlUniform, -1)]     // λ_kl_uniform: likewise, measured as KL to uniform
    [InlineData(Term.InverseCrossEntropy, -1)] // λ_inverse_ce: the attacker puts less mass on the true class
    [InlineData(Term.Representation, -1)] // λ_rep: the harmful classes' representations get harder to tell apart
    [InlineData(Term.Erasure, -1)]        // λ_erase: the harmful classes' mean representations move together
    [InlineData(Term.MetaErasure, -1)]    // λ_meta_erase: likewise in the attacker's adapted encoder, after its steps
    public void A_step_on_one_term_moves_its_quantity_the_intended_way(Term term, int direction)
    {
        var weights = Only(term);
        using var state = TinySetup.State(seed: 8);
        using var original = EncoderWeights.RandomInit(TinySetup.Config, 99, dtype: ScalarType.Float64);
        var plan = TinySetup.Plan(innerSteps: 2, outerSeed: TinySetup.OuterSeedFor(term));
        var options = new MlacObjectiveOptions { Weights = weights };
        var before = MlacObjective.Compute(state, plan, options, original);
        var parameters = state.OuterParameters.Select(p => p.Tensor).ToList();
        var grads = autograd.grad([before.Outer], parameters, allow_unused: true);
        var start = Quantity(before, term);
        // A short step along the normalised gradient: its first-order effect dominates, whatever the gradient's scale.
        var norm = Math.Sqrt(grads.Where(g => g is not null && !g.IsInvalid).Sum(g => g.Pow(2).sum().item<double>()));
        norm.Should().BeGreaterThan(0);
        using (no_grad())
        {
            for (var i = 0; i < parameters.Count; i++)
            {
                if (grads[i] is { } g && !g.IsInvalid) parameters[i].sub_(g.Times(1e-5 / norm));
            }
        }
        var after = Quantity(MlacObjective.Compute(state, plan, options, original), term);
        (Math.Sign(after - start)).Should().Be(direction, $"{term}: {start:G10} → {after:G10}");
    }
}
