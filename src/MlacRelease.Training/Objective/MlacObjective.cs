using MlacRelease.Core.Numerics;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// One evaluation of the MLAC outer objective (mlac-method.md, "Training"): from the encoder's current weights and
/// the attacker's head, K differentiable attacker steps on the harmful task; after each step k = 0..K the adapted
/// model's harmful logits z_k on the outer batch; then the weighted terms. Gradients of the returned tensors reach
/// θ through all K steps (unless first-order). The attacker adapts all weights, or LoRA adapters when the plan says so;
/// a plan marked long-horizon is evaluated by <see cref="LongHorizonObjective"/> instead.
/// </summary>
public static class MlacObjective
{
    /// <param name="carry">Where a long LoRA rollout's attacker is carried to the next (<see cref="RolloutPlan.CarriedSteps"/>).</param>
    public static MlacTerms Compute(MlacModelState state, RolloutPlan plan, MlacObjectiveOptions options, EncoderWeights? original = null, AttackerCarry? carry = null)
    {
        if (plan.SuppressionEvery is not null) return LongHorizonObjective.Compute(state, plan, options, original, carry);
        if (plan.CarriedSteps is not null) throw new ArgumentException("only a long-horizon rollout carries its attacker");
        var weights = options.Weights.Validate();
        var attacker = new SimulatedAttacker(state, plan, options);
        var layout = attacker.Layout;
        var outer = layout.Prepare(plan.Outer);

        // The harmful head the attacker starts from: h₀, or a fresh one (its meta-gradient then goes nowhere).
        var h0 = SimulatedAttacker.StartHead(state, plan);
        var phi = attacker.Start(state, h0);
        // The encoder's own terms read its weights; a re-initialisation attacker's first logits read its fresh top layers.
        using var base0 = layout.Forward(attacker.Reinitializes ? layout.Initial(state.Encoder, state.AttackerHead) : phi, outer, hiddenStates: weights.NeedsHiddenStates());
        var encoderTerms = EncoderTerms.Of(state, base0, outer, weights, original);
        using var start0 = attacker.Reinitializes ? layout.Forward(phi, outer) : null;
        var harmfulLogits = new List<Tensor> { ClassifierHead.Logits((start0 ?? base0).PooledOutput, h0) };

        var norms = new List<Tensor>();
        var metaErase = weights.MetaErasure > 0;
        var adaptedGaps = new List<Tensor>();
        for (var k = 0; k < plan.InnerSteps; k++)
        {
            (phi, var norm) = attacker.Step(phi, k, h0, options.FirstOrder);
            norms.Add(norm);
            using var adapted = layout.Forward(phi, outer, hiddenStates: metaErase);
            harmfulLogits.Add(ClassifierHead.Logits(adapted.PooledOutput, attacker.HarmfulHead(phi, k + 1, h0)));
            if (metaErase) adaptedGaps.Add(SuppressionLosses.ClassMeanGap(adapted.HiddenStates, outer.Mask, outer.Source.Harmful));
        }

        var z = stack(harmfulLogits);                          // [K+1, N, C]
        var logitTerms = HarmfulLogitTerms.Of(z, outer.Harmful, options);
        var (desired, distillation, separability) = (encoderTerms.Desired, encoderTerms.Distillation, encoderTerms.Separability);
        var (attackerCe, headAdjusted) = (logitTerms.CrossEntropy, logitTerms.HeadAdjusted);
        var gradientNorm = norms.Count > 0 ? stack(norms).mean() : zeros([], z.dtype, z.device);

        // The bounded suppression terms are always computed on z (cheap, and logged), but enter the loss only when their
        // weight is on, so a run without them does exactly the arithmetic it did before they existed.
        var total = desired.Times(weights.Desired) - attackerCe.Times(weights.Harmful) + gradientNorm.Times(weights.GradientPenalty)
                    - headAdjusted.Times(weights.HeadAdjustment) + distillation.Times(weights.Distillation);
        if (weights.Entropy > 0) total = total - logitTerms.Entropy.Times(weights.Entropy);
        if (weights.KlUniform > 0) total = total + logitTerms.KlUniform.Times(weights.KlUniform);
        if (weights.InverseCrossEntropy > 0) total = total + logitTerms.InverseCrossEntropy.Times(weights.InverseCrossEntropy);
        if (weights.Representation > 0) total = total + separability.Times(weights.Representation);
        if (weights.Erasure > 0) total = total + encoderTerms.MeanGap.Times(weights.Erasure);
        var adaptedGap = adaptedGaps.Count > 0 ? stack(adaptedGaps).mean() : zeros([], z.dtype, z.device);
        if (metaErase) total = total + adaptedGap.Times(weights.MetaErasure);
        return new MlacTerms(total, attackerCe, desired, attackerCe, gradientNorm, headAdjusted, distillation, logitTerms.PerStepCrossEntropy)
        {
            Entropy = logitTerms.Entropy, KlUniform = logitTerms.KlUniform, InverseCrossEntropy = logitTerms.InverseCrossEntropy,
            RepresentationSeparability = separability, ClassMeanGap = encoderTerms.MeanGap,
            AdaptedClassMeanGap = adaptedGap,
        };
    }
}
