using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// What a simulated attacker adapts in one rollout, as one list of tensors the inner optimiser updates: the last one is
/// always the attacker's head. <see cref="FastWeightLayout"/> is full fine-tuning (every encoder weight);
/// <see cref="LoraFastWeights"/> is LoRA (low-rank adapters on the frozen encoder).
/// </summary>
public interface IFastWeights
{
    int HeadIndex { get; }

    /// <summary>φ₀, differentiable with respect to the encoder's weights and the attacker's initial head.</summary>
    List<Tensor> Initial(EncoderWeights encoder, Tensor attackerHead);

    /// <summary>A batch's tensors on the device, uploaded once per rollout.</summary>
    PreparedBatch Prepare(LabeledBatch batch);

    /// <summary>The encoder as the attacker holding <paramref name="fast"/> sees it; with <paramref name="hiddenStates"/>,
    /// every layer's hidden states too.</summary>
    EncoderOutput Forward(IReadOnlyList<Tensor> fast, PreparedBatch batch, bool hiddenStates = false);
}
