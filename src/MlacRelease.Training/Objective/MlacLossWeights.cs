using MlacRelease.Common.Errors;

namespace MlacRelease.Training.Objective;

/// <summary>
/// The λ weights of the outer objective:
/// λ_desired·CE_desired(θ) − λ_harmful·mean_k CE_harmful(θ_k) + λ_grad·mean_k ‖∇inner‖ − λ_lin·mean_k CE(z_k·W*_k) + λ_distill·MSE(h_θ, h_original)
/// − λ_entropy·Σ_k w_k H(p_k) + λ_kl_uniform·mean_k KL(p_k ‖ u) + λ_inverse_ce·mean_k −log(1 − p_k[y]) + λ_rep·MMD²_layers
/// + λ_erase·gap²_layers + λ_meta_erase·mean_k gap²_layers(θ_k) (the last six: <see cref="SuppressionLosses"/>). Defaults are the paper's reported MLAC configuration; the
/// bounded suppression terms are off by default.
/// </summary>
public sealed record MlacLossWeights
{
    /// <summary>λ_desired (the paper's λ_good): the desired task's cross-entropy.</summary>
    public double Desired { get; init; } = 1;

    /// <summary>λ_harmful (the paper's λ_bad): minus the simulated attacker's harmful cross-entropy (unbounded).</summary>
    public double Harmful { get; init; }

    public double GradientPenalty { get; init; }
    public double HeadAdjustment { get; init; } = 1;
    public double Distillation { get; init; }

    /// <summary>λ_entropy: TAR-style step-weighted attacker entropy (<see cref="SuppressionLosses.WeightedEntropy"/>).</summary>
    public double Entropy { get; init; }

    /// <summary>λ_kl_uniform: SOPHON-style KL of the attacker's predictions to uniform (<see cref="SuppressionLosses.KlToUniform"/>).</summary>
    public double KlUniform { get; init; }

    /// <summary>λ_inverse_ce: SOPHON-style inverse cross-entropy (<see cref="SuppressionLosses.InverseCrossEntropy"/>).</summary>
    public double InverseCrossEntropy { get; init; }

    /// <summary>λ_rep: RepNoise-style class separability of the encoder's hidden states, no inner loop
    /// (<see cref="SuppressionLosses.ClassSeparability"/>).</summary>
    public double Representation { get; init; }

    /// <summary>λ_erase: linear erasure, the harmful classes' squared mean gap in every layer relative to its variance,
    /// no inner loop (<see cref="SuppressionLosses.ClassMeanGap"/>).</summary>
    public double Erasure { get; init; }

    /// <summary>λ_meta_erase: the same class-mean gap read from the simulated attacker's adapted encoder after each of its
    /// inner steps (k ≥ 1) instead of from θ: "meta-erasure", what the attacker's fine-tuning brings back into the
    /// layers (<see cref="SuppressionLosses.ClassMeanGap"/>).</summary>
    /// <remarks>Why beside <see cref="Erasure"/>: λ_erase 10 left the harmful label at chance in what layer 5 computes (a
    /// re-initialisation attacker with layers 1–5 frozen stays at 50 %), yet the same attacker with those layers training
    /// recovers 79 % in 100 steps (release-checks/examples/realistic-erase/, session 15): it relearns the lower layers.</remarks>
    public double MetaErasure { get; init; }

    /// <summary>Whether a term reads every layer's hidden states of θ itself (so the encoder's own forward must return them;
    /// λ_meta_erase asks for them on the attacker's adapted forwards instead). A method, not a property: the weights are serialised into the run fingerprint, which must not gain a field.</summary>
    public bool NeedsHiddenStates() => Representation > 0 || Erasure > 0;

    /// <summary>The weights by their command-line names (<c>--lambda-NAME</c>), in the order of the objective.</summary>
    /// <remarks>The paper's names for the first two, <c>good</c> and <c>bad</c>, are accepted as aliases (<see cref="PaperAliases"/>).</remarks>
    public static IReadOnlyList<string> Names { get; } = ["desired", "harmful", "grad", "lin", "distill", "entropy", "kl-uniform", "inverse-ce", "rep", "erase", "meta-erase"];

    /// <summary>The reference code's names of weights that are called otherwise here: name → alias.</summary>
    public static IReadOnlyDictionary<string, string> PaperAliases { get; } = new Dictionary<string, string> { ["desired"] = "good", ["harmful"] = "bad" };

    /// <summary>The weight called <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public double Get(string name) => name switch
    {
        "desired" => Desired, "harmful" => Harmful, "grad" => GradientPenalty, "lin" => HeadAdjustment, "distill" => Distillation,
        "entropy" => Entropy, "kl-uniform" => KlUniform, "inverse-ce" => InverseCrossEntropy, "rep" => Representation, "erase" => Erasure, "meta-erase" => MetaErasure,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"expected one of {string.Join(", ", Names)}"),
    };

    /// <summary>A copy with the weight called <paramref name="name"/> set to <paramref name="value"/>.</summary>
    public MlacLossWeights With(string name, double value) => name switch
    {
        "desired" => this with { Desired = value }, "harmful" => this with { Harmful = value }, "grad" => this with { GradientPenalty = value },
        "lin" => this with { HeadAdjustment = value }, "distill" => this with { Distillation = value }, "entropy" => this with { Entropy = value },
        "kl-uniform" => this with { KlUniform = value }, "inverse-ce" => this with { InverseCrossEntropy = value },
        "rep" => this with { Representation = value }, "erase" => this with { Erasure = value },
        "meta-erase" => this with { MetaErasure = value },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"expected one of {string.Join(", ", Names)}"),
    };

    public MlacLossWeights Validate()
    {
        foreach (var (name, value) in new[] { ("desired", Desired), ("harmful", Harmful), ("grad", GradientPenalty), ("lin", HeadAdjustment), ("distill", Distillation),
                     ("entropy", Entropy), ("kl_uniform", KlUniform), ("inverse_ce", InverseCrossEntropy), ("rep", Representation), ("erase", Erasure), ("meta_erase", MetaErasure) })
        {
            if (!double.IsFinite(value) || value < 0) throw new MlacInputException($"loss weight λ_{name} must be finite and ≥ 0, got {value}");
        }
        return this;
    }
}
