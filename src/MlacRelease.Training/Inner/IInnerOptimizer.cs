using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>
/// An optimiser written as a function of tensors, so its updates stay in the autograd graph: the outer MLAC gradient
/// flows through every simulated attacker step. One instance holds the state of one rollout.
/// </summary>
public interface IInnerOptimizer
{
    /// <summary>New parameters θ' = update(θ, g, lr). A null gradient leaves that parameter, and its state, as it is
    /// (head-only steps).</summary>
    IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate);
}

public enum InnerOptimizerKind
{
    Adam,
    Sgd,
}

public static class InnerOptimizers
{
    public static IInnerOptimizer Create(InnerOptimizerKind kind, bool textbookAdam = false) => kind switch
    {
        InnerOptimizerKind.Adam when textbookAdam => new TextbookAdam(),
        InnerOptimizerKind.Adam => new DifferentiableAdam(),
        InnerOptimizerKind.Sgd => new DifferentiableSgd(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown inner optimiser"),
    };
}
