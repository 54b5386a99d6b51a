using MlacRelease.Common.Errors;
using MlacRelease.Training.Inner;

namespace MlacRelease.Training.Objective;

/// <summary>Settings of one outer-objective evaluation (the simulated attacker and the loss weights).</summary>
public sealed record MlacObjectiveOptions
{
    public MlacLossWeights Weights { get; init; } = new();
    public InnerOptimizerKind InnerOptimizer { get; init; } = InnerOptimizerKind.Adam;
    /// <summary>The simulated attacker's gradient clip norm per inner step.</summary>
    public double InnerClipNorm { get; init; } = 100;
    /// <summary>The bounds the meta-learned attacker learning rate α is kept in.</summary>
    public double AttackerLearningRateMin { get; init; } = 1e-6;
    public double AttackerLearningRateMax { get; init; } = 1e-2;
    public double HeadAdjustmentBound { get; init; } = HeadAdjustment.DefaultBound;

    /// <summary>λ_t of the entropy term's step weights exp(λ_t·(k − K)) (<see cref="SuppressionLosses.EntropyStepWeights"/>).</summary>
    public double EntropyStepDecay { get; init; } = SuppressionLosses.DefaultEntropyStepDecay;

    /// <summary>Drops the second-order terms (gradients of the inner steps are treated as constants).</summary>
    public bool FirstOrder { get; init; }

    /// <summary>Row-wise fast weights for the word embeddings (exact; see <see cref="FastWeightLayout"/>).</summary>
    public bool SparseEmbeddings { get; init; } = true;

    /// <summary>The inner Adam as fifteen ops per tensor (<see cref="TextbookAdam"/>) instead of ten: the naive
    /// baseline of the training-step benchmark. Same update up to rounding.</summary>
    public bool TextbookInnerAdam { get; init; }

    /// <summary>Refuses settings no objective can use; the names are the <c>mlac train</c> flags.</summary>
    public MlacObjectiveOptions Validate()
    {
        Weights.Validate();
        if (!(InnerClipNorm > 0)) throw new MlacInputException($"training option 'inner-clip': expected > 0, got {InnerClipNorm}");
        if (!(double.IsFinite(EntropyStepDecay) && EntropyStepDecay >= 0))
            throw new MlacInputException($"training option 'entropy-step-decay': expected finite and ≥ 0, got {EntropyStepDecay}");
        return this;
    }
}
