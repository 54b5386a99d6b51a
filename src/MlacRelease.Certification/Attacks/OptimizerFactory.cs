using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>Builds the attacker's torch.optim optimiser with the settings the battery documents.</summary>
internal static class OptimizerFactory
{
    public const double Momentum = 0.9;

    public static optim.Optimizer Create(OptimizerKind kind, IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay) => kind switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: weightDecay),
        OptimizerKind.AdamW => optim.AdamW(parameters, learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: weightDecay),
        OptimizerKind.SgdMomentum => optim.SGD(parameters, learningRate, momentum: Momentum, weight_decay: weightDecay),
        OptimizerKind.SgdNesterov => optim.SGD(parameters, learningRate, momentum: Momentum, weight_decay: weightDecay, nesterov: true),
        OptimizerKind.Adagrad => optim.Adagrad(parameters, learningRate, weight_decay: weightDecay),
        OptimizerKind.Adadelta => optim.Adadelta(parameters, learningRate, weight_decay: weightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
