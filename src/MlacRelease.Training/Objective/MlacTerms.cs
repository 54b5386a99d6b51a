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
    Tensor PerStepAttackerCrossEntropy);
