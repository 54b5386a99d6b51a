using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>Scores an encoder map + bias-free head on an evaluation set, without building a graph.</summary>
internal static class Scorer
{
    public static EvaluationScore Score(EncoderConfig config, IReadOnlyDictionary<string, Tensor> map, Tensor head, EvaluationSet set, int classes)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = cat(set.Batches.Select(b => ClassifierHead.Logits(BertEncoder.Forward(config, map, b.Ids, b.Mask, b.Types).PooledOutput, head)).ToList(), 0);
        return FromLogits(logits, set, classes);
    }

    /// <summary>Accuracy of argmax; AUROC of softmax(class 1) when the task is binary. NaN logits count as wrong.</summary>
    public static EvaluationScore FromLogits(Tensor logits, EvaluationSet set, int classes)
    {
        using var scope = NewDisposeScope();
        var finite = isfinite(logits).all(1);
        var predicted = logits.argmax(1);
        var correct = predicted.eq(set.LabelTensor).logical_and(finite);
        var accuracy = correct.to(ScalarType.Float64).mean().item<double>();
        double? auroc = null;
        if (classes == 2)
        {
            var scores = nan_to_num(softmax(logits.to(ScalarType.Float64), 1).select(1, 1), 0.5).cpu().data<double>().ToArray();
            auroc = Auroc.Compute(scores, set.Labels);
        }
        return new EvaluationScore(accuracy, auroc);
    }
}
