namespace MlacRelease.Certification.Attacks;

/// <summary>The attacker's optimiser (TorchSharp's torch.optim implementations).</summary>
public enum OptimizerKind
{
    Adam,
    AdamW,

    /// <summary>SGD with momentum 0.9.</summary>
    SgdMomentum,

    /// <summary>SGD with Nesterov momentum 0.9.</summary>
    SgdNesterov,
    Adagrad,
    Adadelta,
}
