using MlacRelease.Core.Numerics;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>The terms read from the encoder itself on the outer batch, with no attacker: the desired task's
/// cross-entropy, the distillation to the original encoder, the harmful classes' representation separability and their
/// class-mean gap (linear erasure).</summary>
internal sealed record EncoderTerms(Tensor Desired, Tensor Distillation, Tensor Separability, Tensor MeanGap)
{
    /// <param name="base0">The encoder's output on the outer batch (with hidden states when λ_rep or λ_erase is on).</param>
    public static EncoderTerms Of(MlacModelState state, EncoderOutput base0, PreparedBatch outer, MlacLossWeights weights, EncoderWeights? original)
    {
        var pooled = base0.PooledOutput;
        var desired = ClassifierHead.CrossEntropy(pooled, state.DesiredHead, outer.Desired);
        var distillation = zeros([], pooled.dtype, pooled.device);
        if (weights.Distillation > 0)
        {
            if (original is null) throw new ArgumentException("the distillation term needs the original encoder");
            Tensor target;
            using (no_grad())
            {
                target = original.Forward(outer.Ids, outer.Mask, outer.Types).LastHiddenState;
            }
            var mask = outer.Mask.unsqueeze(-1).to(pooled.dtype);
            distillation = ((base0.LastHiddenState - target) * mask).Pow(2).sum() / mask.sum().Times(state.Encoder.Config.HiddenSize);
        }
        var separability = weights.Representation > 0
            ? SuppressionLosses.ClassSeparability(base0.HiddenStates, outer.Mask, outer.Source.Harmful)
            : zeros([], pooled.dtype, pooled.device);
        var meanGap = weights.Erasure > 0
            ? SuppressionLosses.ClassMeanGap(base0.HiddenStates, outer.Mask, outer.Source.Harmful)
            : zeros([], pooled.dtype, pooled.device);
        return new EncoderTerms(desired, distillation, separability, meanGap);
    }
}
