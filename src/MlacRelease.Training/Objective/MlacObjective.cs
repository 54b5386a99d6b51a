using MlacRelease.Core.Model;
using MlacRelease.Training.Inner;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MlacRelease.Training.Objective;

/// <summary>
/// One evaluation of the MLAC outer objective (mlac-method.md, "Training"): from the encoder's current weights and
/// the attacker's head, K differentiable attacker steps on the harmful task; after each step k = 0..K the adapted
/// model's harmful logits z_k on the outer batch; then the weighted terms. Gradients of the returned tensors reach
/// θ through all K steps (unless first-order). The attacker adapts all weights, or LoRA adapters when the plan says so.
/// </summary>
public static class MlacObjective
{
    public static MlacTerms Compute(MlacModelState state, RolloutPlan plan, MlacObjectiveOptions options, EncoderWeights? original = null)
    {
        if (plan.HeadOnly.Count != plan.Inner.Count) throw new ArgumentException("one head-only flag per inner step is required");
        var weights = options.Weights.Validate();
        IFastWeights layout = plan.LowRank is { } lowRank
            ? new LowRankFastWeights(state.Encoder, lowRank)
            : new FastWeightLayout(state.Encoder, options.SparseEmbeddings, plan.Inner.Prepend(plan.Outer));
        var outer = layout.Prepare(plan.Outer);
        // A LoRA attacker runs at its own drawn learning rate: the meta-learned α is tuned to full fine-tuning, and
        // adapters need a larger one (the battery's LoRA attack uses 1e-3 to 5e-3).
        var alpha = plan.LowRank is { } adapters
            ? full([], adapters.LearningRate, state.AttackerLearningRate.dtype, state.AttackerLearningRate.device)
            : state.AttackerLearningRate.clamp(options.AttackerLearningRateMin, options.AttackerLearningRateMax);

        var phi = layout.Initial(state.Encoder, state.AttackerHead);
        using var base0 = layout.Forward(phi, outer, hiddenStates: weights.Representation > 0);
        var desired = F.cross_entropy(base0.PooledOutput.matmul(state.DesiredHead.t()), outer.Desired);
        var harmfulLogits = new List<Tensor> { base0.PooledOutput.matmul(state.AttackerHead.t()) };

        var optimizer = InnerOptimizers.Create(options.InnerOptimizer, options.TextbookInnerAdam);
        var norms = new List<Tensor>();
        var all = Enumerable.Range(0, phi.Count).ToList();
        for (var k = 0; k < plan.InnerSteps; k++)
        {
            var batch = layout.Prepare(plan.Inner[k]);
            using var features = layout.Forward(phi, batch);
            var loss = F.cross_entropy(features.PooledOutput.matmul(phi[layout.HeadIndex].t()), batch.Harmful);
            var targets = plan.HeadOnly[k] ? [layout.HeadIndex] : all;
            var grads = autograd.grad([loss], targets.Select(i => phi[i]).ToList(),
                retain_graph: true, create_graph: !options.FirstOrder);
            var full = new Tensor?[phi.Count];
            for (var t = 0; t < targets.Count; t++) full[targets[t]] = options.FirstOrder ? grads[t].detach() : grads[t];
            var (clipped, norm) = GradientClipping.ClipByGlobalNorm(full, options.InnerClipNorm);
            norms.Add(norm);
            phi = optimizer.Step(phi, clipped, alpha).ToList();
            using var adapted = layout.Forward(phi, outer);
            harmfulLogits.Add(adapted.PooledOutput.matmul(phi[layout.HeadIndex].t()));
        }

        var z = stack(harmfulLogits);                          // [K+1, N, C]
        var steps = z.shape[0];
        var n = z.shape[1];
        var c = z.shape[2];
        var labels = outer.Harmful.repeat(steps);
        var perStep = F.cross_entropy(z.reshape(steps * n, c), labels, reduction: nn.Reduction.None).view(steps, n).mean([1]);
        var attackerCe = perStep.mean();
        var remap = HeadAdjustment.SolveBatch(z, outer.Harmful, options.HeadAdjustmentBound);
        var headAdjusted = F.cross_entropy(z.bmm(remap).reshape(steps * n, c), labels);
        var gradientNorm = norms.Count > 0 ? stack(norms).mean() : zeros([], z.dtype, z.device);
        var distillation = zeros([], z.dtype, z.device);
        if (weights.Distillation > 0)
        {
            if (original is null) throw new ArgumentException("the distillation term needs the original encoder");
            Tensor target;
            using (no_grad())
            {
                target = original.Forward(outer.Ids, outer.Mask, outer.Types).LastHiddenState;
            }
            var mask = outer.Mask.unsqueeze(-1).to(z.dtype);
            distillation = ((base0.LastHiddenState - target) * mask).pow(2).sum() / (mask.sum() * state.Encoder.Config.HiddenSize);
        }

        // The bounded suppression terms are always computed on z (cheap, and logged), but enter the loss only when their
        // weight is on, so a run without them does exactly the arithmetic it did before they existed.
        var entropy = SuppressionLosses.WeightedEntropy(z, options.EntropyStepDecay);
        var klUniform = SuppressionLosses.KlToUniform(z);
        var inverseCe = SuppressionLosses.InverseCrossEntropy(z, outer.Harmful);
        var separability = weights.Representation > 0
            ? SuppressionLosses.ClassSeparability(base0.HiddenStates, outer.Mask, outer.Source.Harmful)
            : zeros([], z.dtype, z.device);

        var total = weights.Good * desired - weights.Bad * attackerCe + weights.GradientPenalty * gradientNorm
                    - weights.HeadAdjustment * headAdjusted + weights.Distillation * distillation;
        if (weights.Entropy > 0) total = total - weights.Entropy * entropy;
        if (weights.KlUniform > 0) total = total + weights.KlUniform * klUniform;
        if (weights.InverseCrossEntropy > 0) total = total + weights.InverseCrossEntropy * inverseCe;
        if (weights.Representation > 0) total = total + weights.Representation * separability;
        return new MlacTerms(total, attackerCe, desired, attackerCe, gradientNorm, headAdjusted, distillation, perStep)
        {
            Entropy = entropy, KlUniform = klUniform, InverseCrossEntropy = inverseCe, RepresentationSeparability = separability,
        };
    }
}
