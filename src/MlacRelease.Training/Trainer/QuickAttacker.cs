using MlacRelease.Core.Numerics;
using TorchSharp;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Evaluation;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// The evaluation-time attacker of a training run: the certifier's linear probe on the frozen encoder's pooled
/// features, fitted on a few hundred harmful-labelled examples. It is a cheap signal to watch during training; the
/// certification battery is the real test.
/// </summary>
public static class QuickAttacker
{
    public static Tensor PooledFeatures(EncoderWeights encoder, IReadOnlyList<EncodedExample> examples, int batchSize = 64)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var batch = LabeledBatch.Collate(examples.Skip(start).Take(batchSize).ToList());
            using var scope = NewDisposeScope();
            var (ids, mask, types) = batch.Tokens.ToTensors(encoder.Device);
            using var output = encoder.Forward(ids, mask, types);
            parts.Add(output.PooledOutput.detach().clone().MoveToOuterDisposeScope());
        }
        var features = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return features;
    }

    /// <summary>Each layer's output (hidden states 1..L) averaged over every example's non-padding tokens: L tensors
    /// [N, H]. What a top-layer re-initialisation attacker keeps of the encoder is below its fresh layers, so the
    /// quick probe on the final pooled output does not see it.</summary>
    public static IReadOnlyList<Tensor> LayerMeans(EncoderWeights encoder, IReadOnlyList<EncodedExample> examples, int batchSize = 64)
    {
        using var noGrad = no_grad();
        var parts = Enumerable.Range(0, (int)encoder.Config.NumHiddenLayers).Select(_ => new List<Tensor>()).ToList();
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var batch = LabeledBatch.Collate(examples.Skip(start).Take(batchSize).ToList());
            using var scope = NewDisposeScope();
            var (ids, mask, types) = batch.Tokens.ToTensors(encoder.Device);
            using var output = BertEncoder.Forward(encoder.Config, encoder.Tensors, ids, mask, types, outputHiddenStates: true);
            var weights = mask.to(output.LastHiddenState.dtype).unsqueeze(-1);
            var counts = weights.sum(1);
            for (var layer = 0; layer < parts.Count; layer++)
                parts[layer].Add(((output.HiddenStates[layer + 1] * weights).sum(1) / counts).detach().MoveToOuterDisposeScope());
        }
        return parts.Select(p =>
        {
            var features = cat(p, 0);
            foreach (var t in p) t.Dispose();
            return features;
        }).ToList();
    }

    /// <summary>A bias-free linear head [classes, hidden] fitted on raw pooled features (the shape of MLAC's heads), by
    /// full-batch Adam on cross-entropy with a little L2. Used to start the desired and attacker heads from the best
    /// linear read-out of the pretrained encoder instead of noise.</summary>
    public static Tensor FitHead(Tensor features, long[] labels, int classes, long seed, int steps = 400)
    {
        using var scope = NewDisposeScope();
        var y = tensor(labels, device: features.device);
        var generator = new Generator((ulong)seed, CPU);
        var w = new TorchSharp.Modules.Parameter(NormalInit.Draw(0, 0.01, [classes, features.shape[1]], features.dtype, generator).to(features.device));
        using var optimizer = HeldOptimizer.Adam([w], lr: 0.02);
        for (var i = 0; i < steps; i++)
        {
            optimizer.ZeroGrad();
            var loss = ClassifierHead.CrossEntropy(features, w, y) + w.Pow(2).sum().Times(1e-4);
            loss.backward();
            optimizer.Step();
        }
        return w.detach().clone().MoveToOuterDisposeScope();
    }

    /// <summary>The regularisation of the quick probe: mean cross-entropy + 1e-3 · Σw², what this probe minimised when it
    /// was fitted by Adam (in <see cref="LogisticRegressionOptions.L2"/>'s convention, L2 / 2 · ‖W‖²).</summary>
    public const double ProbeL2 = 2e-3;

    /// <summary>Accuracy on <paramref name="testFeatures"/> of the linear probe the certifier's linear-probe attack fits
    /// (<see cref="LogisticRegressionProbe"/>: standardised features, fitted to convergence), trained on the training
    /// features, so the number watched in training is the attack the battery runs. Non-finite features (a diverged
    /// encoder) are read as zeros: the probe then scores near chance instead of stopping the run.</summary>
    public static double ProbeAccuracy(Tensor trainFeatures, long[] trainLabels, Tensor testFeatures, long[] testLabels, int classes)
    {
        using var scope = NewDisposeScope();
        var train = nan_to_num(trainFeatures.detach(), 0, 0, 0);
        var test = nan_to_num(testFeatures.detach(), 0, 0, 0);
        var model = LogisticRegressionProbe.Fit(train, tensor(trainLabels, device: train.device), classes, new LogisticRegressionOptions { L2 = ProbeL2 });
        return model.Accuracy(test, tensor(testLabels, device: test.device));
    }
}
