using MlacRelease.Core.Numerics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MlacRelease.Training.Objective;

/// <summary>
/// Bounded suppression terms of the outer objective (defences.md, "Suppression losses"). The first three read the
/// simulated attacker's harmful logits z [K+1, N, C] on the outer batch after every inner step k = 0..K; the fourth
/// reads the encoder's own hidden states and needs no inner loop. Unlike maximising the attacker's cross-entropy,
/// which rewards confidently wrong outputs that a re-learned head undoes in a few steps, each of them is smallest
/// when the outputs (or representations) carry no information about the harmful label.
/// </summary>
public static class SuppressionLosses
{
    /// <summary>TAR's step decay λ_t (rishub-tamirisa/tamper-resistance, run_tar_bio.sh: --schedule_lambda 0.0625).</summary>
    public const double DefaultEntropyStepDecay = 0.0625;

    /// <summary>w_k ∝ exp(λ_t·(k − K)) for k = 0..K, normalised to sum to 1: later steps weigh more
    /// (w_{k+1}/w_k = e^{λ_t}); λ_t = 0 is the plain mean.</summary>
    /// <remarks>TAR (modules/training.py, <c>schedule</c>) weighs its K adversary steps i = 0..K−1 by
    /// exp(λ·(i − (K−1))) without normalising (the last step weighs 1, the sum is up to 1/(1 − e^{−λ}) ≈ 16.5 for
    /// λ = 0.0625, then scaled by its tamper-resistance grad scale 4) and evaluates only after an adversary step,
    /// every 4th one; here step 0 (the unadapted encoder) counts too and the weights sum to 1, so λ_entropy is
    /// comparable with the other weights at any K.</remarks>
    public static Tensor EntropyStepWeights(long steps, double decay, ScalarType dtype, Device device)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "at least one step (k = 0) is needed");
        if (!double.IsFinite(decay) || decay < 0) throw new ArgumentOutOfRangeException(nameof(decay), $"the entropy step decay must be finite and ≥ 0, got {decay}");
        var last = steps - 1;
        var exponents = HeldScalars.Arange(steps, dtype, device).Minus(last).Times(decay);
        return exponents.softmax(0);
    }

    /// <summary>The same step weights at chosen inner steps only (the long-horizon rollout's evaluation points):
    /// w_j ∝ exp(λ_t·(k_j − K)), summing to 1; at k_j = 0..K they are <see cref="EntropyStepWeights"/>.</summary>
    public static double[] EntropyPointWeights(IReadOnlyList<int> points, int last, double decay)
    {
        if (points.Count < 1) throw new ArgumentOutOfRangeException(nameof(points), "at least one point is needed");
        if (!double.IsFinite(decay) || decay < 0) throw new ArgumentOutOfRangeException(nameof(decay), $"the entropy step decay must be finite and ≥ 0, got {decay}");
        // exp of non-positive exponents (k_j ≤ K) cannot overflow; the largest is exp(0) = 1.
        var raw = points.Select(k => Math.Exp(decay * (k - last))).ToArray();
        var sum = raw.Sum();
        return raw.Select(r => r / sum).ToArray();
    }

    /// <summary>Σ_k w_k · H_k with H_k = mean_n −Σ_c p_{k,n,c} log p_{k,n,c}, the attacker's mean entropy at step k and
    /// w_k from <see cref="EntropyStepWeights"/>. The objective subtracts λ_entropy times this (TAR's
    /// <c>max_entropy_loss</c> is −mean entropy, minimised), so it pushes every step's predictions towards uniform;
    /// it lies in [0, ln C].</summary>
    public static Tensor WeightedEntropy(Tensor logits, double decay)
    {
        var perStep = Entropy(logits);                                           // [K+1]
        return (EntropyStepWeights(perStep.shape[0], decay, perStep.dtype, perStep.device) * perStep).sum();
    }

    /// <summary>mean_k mean_n KL(p_{k,n} ‖ uniform) = mean_k (ln C − H_k), in [0, ln C]; zero exactly at uniform
    /// predictions. Added with +λ_kl_uniform.</summary>
    /// <remarks>SOPHON's classification/kl_uniform_loss.py computes <c>F.kl_div(log softmax(z), 0.1·1,
    /// reduction='batchmean')</c>; by F.kl_div's argument order that is KL(uniform ‖ p) (unbounded above as any p_c → 0),
    /// with 0.1 hard-coded for its 10 classes, summed over every adapted step k = 1..K on a held-out part of that
    /// step's own batch. Here the direction is KL(p ‖ uniform), bounded by ln C, on the outer batch at k = 0..K; it
    /// equals the entropy term with uniform step weights plus the constant ln C, so the two differ only in how they
    /// weigh the steps.</remarks>
    public static Tensor KlToUniform(Tensor logits)
    {
        var c = logits.shape[^1];
        var logP = F.log_softmax(logits, -1);
        return (logP.exp() * logP.Plus(Math.Log(c))).sum(-1).mean();
    }

    /// <summary>mean_k mean_n −log(1 − p_{k,n,y_n}): the cross-entropy of the complementary probability. Zero when the
    /// attacker gives the true class no mass, so minimising it (+λ_inverse_ce) pushes the attacker off the true label
    /// with a loss bounded below by 0, where maximising plain CE grows without bound. Computed stably as
    /// logsumexp_c z_c − logsumexp_{c≠y} z_c, which is finite for any finite logits (no clamp needed and no gradient
    /// cut: 1 − p_y is never formed, so it cannot round to 0 however confident the attacker is).</summary>
    /// <remarks>SOPHON's classification/inverse_loss.py evaluates <c>nn.CrossEntropyLoss()(1 − z, y)</c> on the logits
    /// z, i.e. −log softmax(−z)_y. For two classes softmax(−z)_y = 1 − p_y, so it is this term exactly; for C &gt; 2 it
    /// differs. TAR's <c>log_1_minus_p_loss</c> computes the same log(1 − p) by the masked logsumexp used here.</remarks>
    public static Tensor InverseCrossEntropy(Tensor logits, Tensor labels)
    {
        var c = logits.shape[^1];
        if (c < 2) throw new ArgumentException("the inverse cross-entropy needs at least two classes");
        var flat = logits.reshape(-1, c);
        var y = labels.repeat(logits.shape[0]).unsqueeze(1);                     // [K+1]·N labels, step-major as flat
        var isLabel = HeldScalars.Arange(c, device: flat.device).unsqueeze(0).eq(y);       // [(K+1)·N, C]
        var others = HeldScalars.With(double.NegativeInfinity, minusInfinity => flat.masked_fill(isLabel, minusInfinity)).logsumexp(1);
        return (flat.logsumexp(1) - others).mean();
    }

    /// <summary>Gaussian-kernel bandwidths of <see cref="ClassSeparability"/>, as multiples of the hidden size.</summary>
    public static IReadOnlyList<double> BandwidthMultiples { get; } = [0.25, 0.5, 1, 2, 4];

    /// <summary>
    /// How separable the harmful classes are in the encoder's representations, with no attacker in the loop: for
    /// each layer's output (hidden states 1..L, not the embeddings), each example's mean over its non-padding tokens,
    /// then the squared maximum mean discrepancy between the classes' pooled states, averaged over class pairs that
    /// both occur in the batch and over layers. The kernel is k(x, x') = mean_b exp(−‖x − x'‖² / (b·H)) over
    /// <see cref="BandwidthMultiples"/> b (H the hidden size), and MMD² the biased (V-statistic) estimate
    /// mean k(A, A) + mean k(B, B) − 2 mean k(A, B) ≥ 0, bounded by 2. Added with +λ_rep.
    /// </summary>
    /// <remarks>RepNoise (domenicrosati/representation-noising, loss.py) uses the same five-kernel Gaussian MMD, but
    /// between every layer's MLP output on harmful inputs and Gaussian noise, on flattened tokens, with a bandwidth
    /// set from the detached mean pairwise distance of the batch (and summed rather than averaged kernels). The
    /// bandwidths here are fixed (layer-normalised states have squared norms near H), so the term is a smooth function
    /// of the weights whose gradient finite differences can check.</remarks>
    /// <param name="hiddenStates">The encoder's hidden states (embeddings first, as <c>EncoderOutput.HiddenStates</c>).</param>
    /// <param name="mask">[N, T] attention mask.</param>
    /// <param name="harmful">The N harmful labels (host copy).</param>
    public static Tensor ClassSeparability(IReadOnlyList<Tensor> hiddenStates, Tensor mask, IReadOnlyList<long> harmful)
    {
        if (hiddenStates.Count < 2) throw new ArgumentException("the encoder's hidden states (embeddings and at least one layer) are needed");
        var reference = hiddenStates[0];
        var classes = harmful.Distinct().Order().ToList();
        var pairs = classes.SelectMany((a, i) => classes.Skip(i + 1).Select(b => (a, b))).ToList();
        if (pairs.Count == 0) return zeros([], reference.dtype, reference.device);   // one class in the batch: nothing to separate

        var rows = ClassRows(classes, harmful, reference.device);
        var hidden = reference.shape[^1];
        var perLayer = new List<Tensor>();
        foreach (var pooled in PooledLayers(hiddenStates, mask))
        {
            var distances = (pooled.unsqueeze(0) - pooled.unsqueeze(1)).Pow(2).sum(-1);   // [N, N]
            var kernel = stack(BandwidthMultiples.Select(b => distances.Over(-b * hidden).exp()).ToList()).mean([0]);
            Tensor Block(long a, long b) => kernel.index_select(0, rows[a]).index_select(1, rows[b]).mean();
            perLayer.Add(stack(pairs.Select(p => Block(p.a, p.a) + Block(p.b, p.b) - Block(p.a, p.b).Times(2)).ToList()).mean());
        }
        return stack(perLayer).mean();
    }

    /// <summary>
    /// Linear erasure of the harmful label from every layer (LEACE's criterion: no linear classifier of a
    /// representation beats the constant one exactly when the classes' means are equal). For each layer's output
    /// (hidden states 1..L), each example's mean over its non-padding tokens z_n; per pair of classes (a, b) with at
    /// least two examples each in the batch, the unbiased estimate of ‖μ_a − μ_b‖² (a U-statistic over the Gram matrix:
    /// the mean inner product of distinct same-class pairs, both classes, minus twice the cross-class mean), divided
    /// by the layer's total variance mean_n ‖z_n − z̄‖²; averaged over pairs and layers. Added with +λ_erase.
    /// </summary>
    /// <remarks>Why beside <see cref="ClassSeparability"/>: its Gaussian MMD² on a batch of 12 is biased upward by the
    /// kernel's diagonal (about (1/n_a + 1/n_b)·(1 − mean k)). realistic-reinit's run (issue 11, arm A3) logged rep_mmd
    /// 0.036 at step 1 and 0.015–0.02 from step 20 on, flat, while top-layer re-initialisation still recovered the
    /// harmful label from the layers below. This estimate has no such floor: its expectation is the squared
    /// distance of the class means itself, which can go to zero, and it is invariant to translating all states.
    /// It can be slightly negative on a batch. The ratio is scale-free, so λ_erase means the same at any width.</remarks>
    /// <param name="hiddenStates">The encoder's hidden states (embeddings first, as <c>EncoderOutput.HiddenStates</c>).</param>
    /// <param name="mask">[N, T] attention mask.</param>
    /// <param name="harmful">The N harmful labels (host copy).</param>
    public static Tensor ClassMeanGap(IReadOnlyList<Tensor> hiddenStates, Tensor mask, IReadOnlyList<long> harmful)
    {
        if (hiddenStates.Count < 2) throw new ArgumentException("the encoder's hidden states (embeddings and at least one layer) are needed");
        var reference = hiddenStates[0];
        var classes = harmful.GroupBy(l => l).Where(g => g.Count() >= 2).Select(g => g.Key).Order().ToList();
        var pairs = classes.SelectMany((a, i) => classes.Skip(i + 1).Select(b => (a, b))).ToList();
        if (pairs.Count == 0) return zeros([], reference.dtype, reference.device);   // no two classes with two examples each

        var rows = ClassRows(classes, harmful, reference.device);
        var perLayer = new List<Tensor>();
        foreach (var states in PooledLayers(hiddenStates, mask))
        {
            // Centred first: the estimate is translation-invariant, but its Gram form subtracts inner products of the
            // uncentred states, which in float32 cancel catastrophically when a diverging attacker collapses the states
            // onto a large common vector (issue 11, arm A11: one step logged a ratio of 124, where the exact value is at
            // most N²/(n_a·n_b)).
            var pooled = states - states.mean([0], keepdim: true);
            var gram = pooled.matmul(pooled.t());                                    // [N, N]
            Tensor Cross(long a, long b) => gram.index_select(0, rows[a]).index_select(1, rows[b]).mean();
            Tensor Within(long a)
            {
                var block = gram.index_select(0, rows[a]).index_select(1, rows[a]);
                var n = block.shape[0];
                return (block.sum() - block.diagonal().sum()).Over(n * (n - 1));    // distinct pairs only: no diagonal bias
            }
            var variance = pooled.Pow(2).sum(-1).mean().Plus(1e-12);
            perLayer.Add(stack(pairs.Select(p => Within(p.a) + Within(p.b) - Cross(p.a, p.b).Times(2)).ToList()).mean() / variance);
        }
        return stack(perLayer).mean();
    }

    /// <summary>Each layer's output (hidden states 1..L, not the embeddings) averaged over every example's non-padding
    /// tokens: [N, H] per layer.</summary>
    internal static IEnumerable<Tensor> PooledLayers(IReadOnlyList<Tensor> hiddenStates, Tensor mask)
    {
        var weights = mask.to(hiddenStates[0].dtype, hiddenStates[0].device).unsqueeze(-1);   // [N, T, 1]
        var counts = weights.sum(1);                                                           // [N, 1]
        return hiddenStates.Skip(1).Select(states => (states * weights).sum(1) / counts);
    }

    /// <summary>The row indices of each class's examples in the batch.</summary>
    private static Dictionary<long, Tensor> ClassRows(IEnumerable<long> classes, IReadOnlyList<long> harmful, Device device) =>
        classes.ToDictionary(c => c, c => tensor(harmful.Select((l, i) => (l, i)).Where(x => x.l == c).Select(x => (long)x.i).ToArray(), device: device));

    /// <summary>H_k: the mean entropy of softmax(z_k) over the batch, per step; [K+1].</summary>
    private static Tensor Entropy(Tensor logits)
    {
        var logP = F.log_softmax(logits, -1);
        return -(logP.exp() * logP).sum(-1).mean([1]);
    }
}
