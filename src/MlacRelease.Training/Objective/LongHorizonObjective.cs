using MlacRelease.Core.Numerics;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// The first-order long-horizon rollout (TAR- and SOPHON-style, defences.md "Inner loops"): K inner steps with no graph
/// through them (K = 16–64 costs about K first-order steps, not K second-order ones, and memory stays that of one step),
/// and the suppression terms of the short rollout taken at evaluation points k = 0, M, 2M, …, K only. The outer
/// gradient is first-order MAML's straight-through one: at each point the loss ℓ_j(φ_kj) is differentiated with
/// respect to the fast weights φ_kj, and that gradient is applied to the encoder weights they started from (for LoRA,
/// to the weights the adapters sit on, which enter the forward directly), summed over the points:
/// g_θ = Σ_j ∂ℓ_j/∂φ|φ_kj. The desired-task, distillation and representation terms are read at θ exactly.
/// </summary>
/// <remarks>
/// ℓ_j = (1/J)·(−λ_harmful CE_j − λ_lin CE(z_j W*_j) + λ_kl KL_j + λ_inverse_ce INV_j) − λ_entropy w_j H_j, with J points and
/// w_j ∝ exp(λ_t·(k_j − K)) summing to 1: the short rollout's terms with its means over steps taken over the points
/// instead, so the λ keep their meaning; plus λ_meta_erase/(J − 1)·gap_j at the J − 1 points after step 0 (the adapted
/// states, as the short rollout's mean over k = 1..K). With M = 1 the gradient equals the short rollout's in first-order mode. The
/// gradient penalty λ_grad needs second derivatives and is refused. The attacker's head is meta-learned on the same
/// straight-through gradient of its mean CE at the points; the meta-learned α gets no gradient here (it enters only
/// through the update chain, which a first-order rollout does not differentiate).
/// </remarks>
public static class LongHorizonObjective
{
    /// <param name="carry">Required when <see cref="RolloutPlan.CarriedSteps"/> is set: the rollout continues the attacker
    /// carried there (when it had taken steps) and leaves its own final state there.</param>
    public static MlacTerms Compute(MlacModelState state, RolloutPlan plan, MlacObjectiveOptions options, EncoderWeights? original = null, AttackerCarry? carry = null)
    {
        var every = plan.SuppressionEvery ?? throw new ArgumentException("not a long-horizon plan: SuppressionEvery is not set");
        if (every < 1) throw new ArgumentException($"the suppression interval must be ≥ 1, got {every}");
        var weights = options.Weights.Validate();
        if (weights.GradientPenalty > 0)
            throw new ArgumentException("the gradient penalty λ_grad needs second-order gradients, which a first-order long-horizon rollout does not take; set it to 0");
        if (plan.CarriedSteps is not null && carry is null) throw new ArgumentException("the plan carries its attacker, but no carry was given");
        var carried = plan.CarriedSteps > 0 ? carry!.Take(plan) : null;
        var attacker = new SimulatedAttacker(state, plan, options);
        if (carried is not null) attacker.Continue(carried.Optimizer);
        var layout = attacker.Layout;
        var outer = layout.Prepare(plan.Outer);
        var points = EvaluationPoints(plan.InnerSteps, every);
        var entropyWeights = SuppressionLosses.EntropyPointWeights(points, plan.InnerSteps, options.EntropyStepDecay);

        var outerParameters = state.OuterParameters.Select(p => p.Tensor).ToList();
        var outerSums = outerParameters.Select(p => zeros_like(p)).ToList();
        var headSum = zeros_like(state.AttackerHead);
        var values = new List<PointValues>(points.Count);
        var adaptedPoints = points.Count(k => k > 0);
        var norms = new List<double>(plan.InnerSteps);

        // The rollout's tensors are freed step by step: only the current fast weights and optimiser state survive a step.
        var h0 = SimulatedAttacker.StartHead(state, plan);
        var harmfulLeaf = h0.detach().requires_grad_(true);
        var phi = carried?.Phi.ToList() ?? attacker.Start(state, harmfulLeaf).Select(t => t.detach().requires_grad_(true)).ToList();
        var owned = Own(phi.Append(harmfulLeaf).Concat(attacker.Optimizer.StateTensors), []);
        try
        {
            for (var k = 0; ; k++)
            {
                if (points.Contains(k))
                {
                    values.Add(Evaluate(state, h0, attacker, outer, phi, k, 1.0 / points.Count, entropyWeights[values.Count], k > 0 ? 1.0 / adaptedPoints : 0,
                        options, outerParameters, outerSums, headSum));
                }
                if (k == plan.InnerSteps) break;
                using var scope = NewDisposeScope();
                var (next, norm) = attacker.Step(phi, k, harmfulLeaf, firstOrder: true, detachUpdate: true);
                norms.Add(norm.Value());
                phi = next;
                owned = Own(phi.Concat(attacker.Optimizer.StateTensors).Append(harmfulLeaf), owned);   // the head a benign phase hands over to
            }
            if (plan.CarriedSteps is { } before)
            {
                // The final state moves to the carry: the next long LoRA rollout continues from it.
                var kept = new CarriedAttacker(plan.Lora!, plan.Attacker, phi, attacker.Optimizer, before + plan.InnerSteps);
                foreach (var t in kept.Phi.Concat(kept.Optimizer.StateTensors)) owned.Remove(t);
                carry!.Keep(kept);
            }
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }

        using var base0 = layout.Forward(layout.Initial(state.Encoder, state.AttackerHead), outer, hiddenStates: weights.NeedsHiddenStates());
        var encoderTerms = EncoderTerms.Of(state, base0, outer, weights, original);
        var (dtype, device) = (base0.PooledOutput.dtype, base0.PooledOutput.device);
        Tensor Scalar(double value) => HeldScalars.Full([], value, dtype, device);

        var total = encoderTerms.Desired.Times(weights.Desired) + encoderTerms.Distillation.Times(weights.Distillation);
        if (weights.Representation > 0) total = total + encoderTerms.Separability.Times(weights.Representation);
        if (weights.Erasure > 0) total = total + encoderTerms.MeanGap.Times(weights.Erasure);
        total = total + StraightThrough(outerParameters, outerSums) + Scalar(values.Sum(v => v.Loss));
        var attackerCe = values.Average(v => v.CrossEntropy);
        var attackerLoss = StraightThrough([h0], [headSum]) + Scalar(attackerCe);
        return new MlacTerms(total, attackerLoss, encoderTerms.Desired, Scalar(attackerCe), Scalar(norms.Count > 0 ? norms.Average() : 0),
            Scalar(values.Average(v => v.HeadAdjusted)), encoderTerms.Distillation, tensor(values.Select(v => v.CrossEntropy).ToArray(), dtype, device))
        {
            Entropy = Scalar(values.Select((v, j) => entropyWeights[j] * v.Entropy).Sum()),
            KlUniform = Scalar(values.Average(v => v.KlUniform)),
            InverseCrossEntropy = Scalar(values.Average(v => v.InverseCrossEntropy)),
            RepresentationSeparability = encoderTerms.Separability, ClassMeanGap = encoderTerms.MeanGap,
            AdaptedClassMeanGap = Scalar(adaptedPoints > 0 ? values.Where((_, j) => points[j] > 0).Average(v => v.AdaptedGap) : 0),
        };
    }

    /// <summary>k = 0, M, 2M, … and always K: the unadapted encoder, every M-th step and the attacker's final state.</summary>
    public static IReadOnlyList<int> EvaluationPoints(int innerSteps, int every)
    {
        var points = Enumerable.Range(0, innerSteps / every + 1).Select(j => j * every).ToList();
        if (points[^1] != innerSteps) points.Add(innerSteps);
        return points;
    }

    private sealed record PointValues(double Loss, double CrossEntropy, double HeadAdjusted, double Entropy, double KlUniform, double InverseCrossEntropy, double AdaptedGap);

    /// <summary>ℓ_j at φ_k (fast weights that are leaves), with its gradient carried straight through to θ and the
    /// attacker's CE gradient to its initial head, added to the running sums.</summary>
    /// <param name="adaptedWeight">This point's share of the meta-erasure mean: 1/(J − 1) after step 0, 0 at step 0.</param>
    private static PointValues Evaluate(MlacModelState state, Tensor h0, SimulatedAttacker attacker, PreparedBatch outer, IReadOnlyList<Tensor> phi, int completed,
        double meanWeight, double entropyWeight, double adaptedWeight, MlacObjectiveOptions options, IList<Tensor> outerParameters, IReadOnlyList<Tensor> outerSums, Tensor headSum)
    {
        using var scope = NewDisposeScope();
        var layout = attacker.Layout;
        // s + (φ − s).detach(): the value of φ_k, and the identity Jacobian back to s = φ₀(θ), which for full fine-tuning
        // is θ itself (rows gathered from the embedding matrix in the sparse layout).
        // The head slot is the harmful head: h₀ itself during a benign phase (whose own head the slot then holds), else
        // straight through to h₀ likewise.
        var head = completed < attacker.BenignSteps ? h0 : h0 + (phi[layout.HeadIndex] - h0).detach();
        var start = attacker.Start(state, h0);
        var through = start.Select((s, i) => i == layout.HeadIndex ? head : s + (phi[i] - s).detach()).ToList();
        var w = options.Weights;
        var metaErase = w.MetaErasure > 0 && adaptedWeight > 0;
        using var adapted = layout.Forward(through, outer, hiddenStates: metaErase);
        var z = ClassifierHead.Logits(adapted.PooledOutput, head).unsqueeze(0);
        var t = HarmfulLogitTerms.Of(z, outer.Harmful, options);
        var parts = new List<Tensor>();
        var gap = metaErase ? SuppressionLosses.ClassMeanGap(adapted.HiddenStates, outer.Mask, outer.Source.Harmful) : null;
        if (gap is not null) parts.Add(gap.Times(adaptedWeight * w.MetaErasure));
        if (w.Harmful > 0) parts.Add(t.CrossEntropy.Times(-(meanWeight * w.Harmful)));
        if (w.HeadAdjustment > 0) parts.Add(t.HeadAdjusted.Times(-(meanWeight * w.HeadAdjustment)));
        if (w.KlUniform > 0) parts.Add(t.KlUniform.Times(meanWeight * w.KlUniform));
        if (w.InverseCrossEntropy > 0) parts.Add(t.InverseCrossEntropy.Times(meanWeight * w.InverseCrossEntropy));
        if (w.Entropy > 0) parts.Add(t.Entropy.Times(-(entropyWeight * w.Entropy)));
        var loss = 0.0;
        if (parts.Count > 0)
        {
            var sum = stack(parts).sum();
            loss = sum.Value();
            Accumulate(autograd.grad([sum], outerParameters, retain_graph: true, allow_unused: true), outerSums);
        }
        Accumulate(autograd.grad([t.CrossEntropy.Times(meanWeight)], [h0], allow_unused: true), [headSum]);
        return new PointValues(loss, t.CrossEntropy.Value(), t.HeadAdjusted.Value(), t.Entropy.Value(), t.KlUniform.Value(), t.InverseCrossEntropy.Value(), gap?.Value() ?? 0);
    }

    private static void Accumulate(IList<Tensor> gradients, IReadOnlyList<Tensor> sums)
    {
        using var noGrad = no_grad();
        for (var i = 0; i < sums.Count; i++)
        {
            if (gradients[i] is { IsInvalid: false } g) sums[i].add_(g);
        }
    }

    /// <summary>Σ_i (p_i · g_i).sum() minus its own detached value: zero, with gradient g_i with respect to p_i.</summary>
    private static Tensor StraightThrough(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients)
    {
        var inner = stack(parameters.Select((p, i) => (p * gradients[i]).sum()).ToList()).sum();
        return inner - inner.detach();
    }

    /// <summary>Takes ownership of <paramref name="keep"/> (out of any dispose scope) and frees what was owned before and
    /// is no longer kept. Tensors that share the encoder's storage (detached views) free only their handle.</summary>
    private static HashSet<Tensor> Own(IEnumerable<Tensor> keep, HashSet<Tensor> previous)
    {
        var kept = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var t in keep)
        {
            if (kept.Add(t)) t.DetachFromDisposeScope();
        }
        foreach (var t in previous)
        {
            if (!kept.Contains(t)) t.Dispose();
        }
        return kept;
    }
}
