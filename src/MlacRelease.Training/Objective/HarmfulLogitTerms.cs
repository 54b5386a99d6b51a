using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MlacRelease.Training.Objective;

/// <summary>The terms read from the simulated attacker's harmful logits z [S, N, C] on the outer batch, at S evaluation
/// points (every inner step k = 0..K in the short rollout; one point at a time in the long one).</summary>
internal sealed record HarmfulLogitTerms(Tensor PerStepCrossEntropy, Tensor CrossEntropy, Tensor HeadAdjusted, Tensor Entropy, Tensor KlUniform, Tensor InverseCrossEntropy)
{
    public static HarmfulLogitTerms Of(Tensor z, Tensor harmful, MlacObjectiveOptions options)
    {
        var steps = z.shape[0];
        var n = z.shape[1];
        var c = z.shape[2];
        var labels = harmful.repeat(steps);
        var perStep = F.cross_entropy(z.reshape(steps * n, c), labels, reduction: nn.Reduction.None).view(steps, n).mean([1]);
        var remap = HeadAdjustment.SolveBatch(z, harmful, options.HeadAdjustmentBound);
        var headAdjusted = F.cross_entropy(z.bmm(remap).reshape(steps * n, c), labels);
        return new HarmfulLogitTerms(perStep, perStep.mean(), headAdjusted,
            SuppressionLosses.WeightedEntropy(z, options.EntropyStepDecay), SuppressionLosses.KlToUniform(z), SuppressionLosses.InverseCrossEntropy(z, harmful));
    }
}
