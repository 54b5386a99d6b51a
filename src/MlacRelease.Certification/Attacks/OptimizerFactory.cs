using TorchSharp.Modules;
using MlacRelease.Core.Numerics;

namespace MlacRelease.Certification.Attacks;

/// <summary>Builds the attacker's optimiser with the settings the battery documents: torch.optim's update rules, with
/// their numbers held (<see cref="HeldOptimizer"/>).</summary>
internal static class OptimizerFactory
{
    public const double Momentum = 0.9;

    public static HeldOptimizer Create(OptimizerKind kind, IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay) => kind switch
    {
        OptimizerKind.Adam => HeldOptimizer.Adam(parameters, learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: weightDecay),
        OptimizerKind.AdamW => HeldOptimizer.AdamW(parameters, learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: weightDecay),
        OptimizerKind.SgdMomentum => HeldOptimizer.Sgd(parameters, learningRate, momentum: Momentum, weightDecay: weightDecay),
        OptimizerKind.SgdNesterov => HeldOptimizer.Sgd(parameters, learningRate, momentum: Momentum, weightDecay: weightDecay, nesterov: true),
        OptimizerKind.Adagrad => HeldOptimizer.Adagrad(parameters, learningRate, weightDecay: weightDecay),
        OptimizerKind.Adadelta => HeldOptimizer.Adadelta(parameters, learningRate, weightDecay: weightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
