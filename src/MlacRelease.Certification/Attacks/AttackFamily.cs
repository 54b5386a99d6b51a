namespace MlacRelease.Certification.Attacks;

/// <summary>The kinds of attack a battery runs; each is a real training run against the encoder under test.</summary>
public enum AttackFamily
{
    /// <summary>Every encoder weight and a fresh head trained on the harmful task.</summary>
    FullFineTune,

    /// <summary>Frozen encoder; multinomial logistic regression on its pooled features, fitted to convergence.</summary>
    LinearProbe,

    /// <summary>Low-rank adapters W + (α/r)·B·A on attention and feed-forward projections; base weights frozen.</summary>
    Lora,

    /// <summary>The top k layers and the pooler re-initialised, then full fine-tuning.</summary>
    ReinitTopLayers,

    /// <summary>Full fine-tuning on the desired (harmless) task first, then on the harmful task.</summary>
    BenignThenHarmful,
}
