using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>The outer loss, the attacker's meta-loss and each term, as graph tensors (read them with .item once).</summary>
public sealed record MlacTerms(
    Tensor Outer,
    Tensor Attacker,
    Tensor Desired,
    Tensor AttackerCrossEntropy,
    Tensor GradientNorm,
    Tensor HeadAdjusted,
    Tensor Distillation,
    Tensor PerStepAttackerCrossEntropy)
{
    /// <summary>Σ_k w_k H_k, the attacker's step-weighted mean entropy (subtracted with λ_entropy).</summary>
    public required Tensor Entropy { get; init; }

    /// <summary>mean_k KL(p_k ‖ uniform) (added with λ_kl_uniform).</summary>
    public required Tensor KlUniform { get; init; }

    /// <summary>mean_k −log(1 − p_k[y]) (added with λ_inverse_ce).</summary>
    public required Tensor InverseCrossEntropy { get; init; }

    /// <summary>Mean over layers of the squared MMD between the harmful classes' pooled hidden states; zero unless
    /// λ_rep is on (the hidden states are only kept then).</summary>
    public required Tensor RepresentationSeparability { get; init; }

    /// <summary>Mean over layers of the harmful classes' squared mean gap relative to the layer's variance; zero unless
    /// λ_erase is on.</summary>
    public required Tensor ClassMeanGap { get; init; }

    /// <summary>The same gap on the simulated attacker's adapted encoder, averaged over its adapted states (k ≥ 1; in a
    /// long rollout, the evaluation points after step 0); zero unless λ_meta_erase is on.</summary>
    public required Tensor AdaptedClassMeanGap { get; init; }
}
