using static TorchSharp.torch;

namespace MlacRelease.Core.Evaluation;

/// <summary>
/// A fitted multinomial logistic regression: p(class | x) = softmax(W·((x − mean) / scale) + b). Plain host arrays,
/// so the model can score features on any device and be serialised or compared without tensor lifetimes.
/// </summary>
public sealed class LogisticRegressionModel
{
    internal LogisticRegressionModel(int classes, int features, double[] weight, double[] bias, double[] mean, double[] scale,
        ProbeFitReport report, double trainingAccuracy)
    {
        Classes = classes;
        Features = features;
        Weight = weight;
        Bias = bias;
        Mean = mean;
        Scale = scale;
        Report = report;
        TrainingAccuracy = trainingAccuracy;
    }

    public int Classes { get; }

    public int Features { get; }

    /// <summary>Row-major [classes × features] weights on the standardised features.</summary>
    public IReadOnlyList<double> Weight { get; }

    /// <summary>[classes]; centred (sums to zero), since softmax ignores a shared offset.</summary>
    public IReadOnlyList<double> Bias { get; }

    /// <summary>Per-feature mean subtracted before scaling (zeros when not standardised).</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Per-feature divisor (ones when not standardised, and for constant features).</summary>
    public IReadOnlyList<double> Scale { get; }

    public ProbeFitReport Report { get; }

    /// <summary>Accuracy on the examples it was fitted on.</summary>
    public double TrainingAccuracy { get; }

    /// <summary>The same model on raw features: W' = W / scale (column-wise), b' = b − W'·mean.</summary>
    public (double[] Weight, double[] Bias) RawParameters()
    {
        var weight = new double[Classes * Features];
        var bias = new double[Classes];
        for (var k = 0; k < Classes; k++)
        {
            bias[k] = Bias[k];
            for (var i = 0; i < Features; i++)
            {
                var w = Weight[k * Features + i] / Scale[i];
                weight[k * Features + i] = w;
                bias[k] -= w * Mean[i];
            }
        }
        return (weight, bias);
    }

    /// <summary>Logits [N, classes] (float64, on the features' device).</summary>
    public Tensor Logits(Tensor features)
    {
        CheckFeatures(features);
        using var scope = NewDisposeScope();
        var device = features.device;
        var x = features.to(ScalarType.Float64);
        var standardised = (x - tensor(Mean.ToArray(), ScalarType.Float64, device)) / tensor(Scale.ToArray(), ScalarType.Float64, device);
        var w = tensor(Weight.ToArray(), [Classes, Features], ScalarType.Float64, device);
        var logits = mm(standardised, w.t()) + tensor(Bias.ToArray(), ScalarType.Float64, device).unsqueeze(0);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Class probabilities [N, classes] (float64, rows sum to one).</summary>
    public Tensor PredictProbabilities(Tensor features)
    {
        using var logits = Logits(features);
        return softmax(logits, 1);
    }

    /// <summary>Most probable class per row (lowest index on ties), as int64 [N].</summary>
    public Tensor Predict(Tensor features)
    {
        using var logits = Logits(features);
        return logits.argmax(1);
    }

    /// <summary>Share of rows whose most probable class is the label.</summary>
    public double Accuracy(Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var predicted = Predict(features);
        return predicted.eq(labels.to(ScalarType.Int64, predicted.device)).to(ScalarType.Float64).mean().item<double>();
    }

    private void CheckFeatures(Tensor features)
    {
        if (features.dim() != 2 || features.shape[1] != Features)
            throw new ArgumentException($"features must be [N, {Features}], got [{string.Join(", ", features.shape)}]", nameof(features));
    }
}
