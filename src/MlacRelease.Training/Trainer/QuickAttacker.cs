using TorchSharp;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// The evaluation-time attacker of a training run: a linear probe on the frozen encoder's pooled features, fitted
/// full-batch on a few hundred harmful-labelled examples. It is a cheap signal to watch during training; the
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

    /// <summary>A bias-free linear head [classes, hidden] fitted on raw pooled features (the shape of MLAC's heads), by
    /// full-batch Adam on cross-entropy with a little L2. Used to start the desired and attacker heads from the best
    /// linear read-out of the pretrained encoder instead of noise.</summary>
    public static Tensor FitHead(Tensor features, long[] labels, int classes, long seed, int steps = 400)
    {
        using var scope = NewDisposeScope();
        var y = tensor(labels, device: features.device);
        var generator = new Generator((ulong)seed, CPU);
        var w = new TorchSharp.Modules.Parameter(normal(0, 0.01, [classes, features.shape[1]], features.dtype, generator: generator).to(features.device));
        using var optimizer = optim.Adam([w], lr: 0.02);
        for (var i = 0; i < steps; i++)
        {
            optimizer.zero_grad();
            var loss = ClassifierHead.CrossEntropy(features, w, y) + 1e-4 * w.pow(2).sum();
            loss.backward();
            optimizer.step();
        }
        return w.detach().clone().MoveToOuterDisposeScope();
    }

    /// <summary>Accuracy on <paramref name="testFeatures"/> of a logistic regression fitted on the training features
    /// (standardised, L2 1e-3, 300 full-batch Adam steps at 0.05: converged on these sizes).</summary>
    public static double ProbeAccuracy(Tensor trainFeatures, long[] trainLabels, Tensor testFeatures, long[] testLabels, int classes, long seed)
    {
        using var scope = NewDisposeScope();
        var mean = trainFeatures.mean([0], keepdim: true);
        var std = trainFeatures.std(0, keepdim: true) + 1e-6;
        var x = (trainFeatures - mean) / std;
        var xt = (testFeatures - mean) / std;
        var y = tensor(trainLabels, device: x.device);
        var generator = new Generator((ulong)seed, CPU);
        var w = new TorchSharp.Modules.Parameter(normal(0, 0.01, [x.shape[1], classes], x.dtype, generator: generator).to(x.device));
        var b = new TorchSharp.Modules.Parameter(zeros([classes], x.dtype, x.device));
        using var optimizer = optim.Adam([w, b], lr: 0.05);
        for (var i = 0; i < 300; i++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(x.matmul(w) + b, y) + 1e-3 * w.pow(2).sum();
            loss.backward();
            optimizer.step();
        }
        using var noGrad = no_grad();
        var predicted = (xt.matmul(w) + b).argmax(1);
        return predicted.eq(tensor(testLabels, device: x.device)).to(ScalarType.Float64).mean().ToDouble();
    }
}
