namespace MlacRelease.Training.Objective;

/// <summary>What a simulated attacker adapts, as the certification battery's families. New members go last: the value
/// is part of a checkpoint's fingerprint.</summary>
public enum AttackerFamily
{
    /// <summary>Every encoder weight and the head.</summary>
    FullFineTune,
    /// <summary>LoRA adapters on the frozen encoder, and the head.</summary>
    Lora,
    /// <summary>The head only, on frozen features (a linear probe trained by the inner optimiser).</summary>
    HeadOnly,
    /// <summary>Full fine-tuning on the desired task with its own head first, then on the harmful task.</summary>
    BenignThenHarmful,
    /// <summary>The top layers and the pooler re-initialised (fresh weights that do not depend on the encoder's), then full
    /// fine-tuning: the battery's reinit_top_layers. Its outer gradient reaches only the layers below.</summary>
    ReinitTopLayers,
}
