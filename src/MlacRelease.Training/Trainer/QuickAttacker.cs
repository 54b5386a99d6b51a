using MlacRelease.Core.Numerics;
using TorchSharp;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Evaluation;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Objective;
using static TorchSharp.torch;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// The evaluation-time attacker of a training run: the certifier's linear probe on the frozen encoder's pooled
/// features, fitted on a few hundred harmful-labelled examples. It is a cheap signal to watch during training; the
/// certification battery is the real test.
/// </summary>
public static class QuickAttacker
{
    public static Tensor PooledFeatures(EncoderWeights encoder, IReadOnlyList<EncodedExample> examples, int batchSize = 64) =>
        Features(encoder, examples, layerMeans: false, batchSize).Pooled;

    /// <summary>The pooled output and, with <paramref name="layerMeans"/>, each layer's output (hidden states 1..L)
    /// averaged over every example's non-padding tokens, from one forward pass per batch. What a top-layer
    /// re-initialisation attacker keeps of the encoder is below its fresh layers, so the quick probe on the final pooled
    /// output does not see it; validation probes the layer means too.</summary>
    public static EncoderFeatures Features(EncoderWeights encoder, IReadOnlyList<EncodedExample> examples, bool layerMeans, int batchSize = 64)
    {
        using var noGrad = no_grad();
        var pooled = new List<Tensor>();
        var layers = Enumerable.Range(0, layerMeans ? (int)encoder.Config.NumHiddenLayers : 0).Select(_ => new List<Tensor>()).ToList();
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var batch = LabeledBatch.Collate(examples.Skip(start).Take(batchSize).ToList());
            using var scope = NewDisposeScope();
            var (ids, mask, types) = batch.Tokens.ToTensors(encoder.Device);
            using var output = BertEncoder.Forward(encoder.Config, encoder.Tensors, ids, mask, types, outputHiddenStates: layerMeans);
            pooled.Add(output.PooledOutput.detach().clone().MoveToOuterDisposeScope());
            if (!layerMeans) continue;
            var layer = 0;
            foreach (var mean in SuppressionLosses.PooledLayers(output.HiddenStates, mask)) layers[layer++].Add(mean.detach().MoveToOuterDisposeScope());
        }
        return new EncoderFeatures(Concatenate(pooled), layers.Select(Concatenate).ToList());
    }

    /// <summary>The batches' rows as one tensor; the parts are disposed.</summary>
    private static Tensor Concatenate(List<Tensor> parts)
    {
        var all = cat(parts, 0);
        foreach (var part in parts) part.Dispose();
        return all;
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
