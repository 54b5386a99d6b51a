using MlacRelease.Common.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Model;

/// <summary>
/// A linear classifier on pooler_output (Hugging Face's BertForSequenceClassification head): logits = pooled·Wᵀ + b.
/// The tensors stay owned by the caller.
/// </summary>
public sealed record ClassificationHead
{
    public const string WeightName = Common.Release.OnnxIoNames.ClassifierWeight;
    public const string BiasName = Common.Release.OnnxIoNames.ClassifierBias;

    public ClassificationHead(Tensor weight, Tensor? bias = null, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2) throw new MlacInputException($"classifier weight must be [classes, hidden], got [{string.Join(", ", weight.shape)}]");
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != weight.shape[0]))
            throw new MlacInputException($"classifier bias must be [{weight.shape[0]}], got [{string.Join(", ", bias.shape)}]");
        if (labels is not null && labels.Count != weight.shape[0])
            throw new MlacInputException($"{labels.Count} label names for {weight.shape[0]} classes");
        Weight = weight;
        Bias = bias;
        Labels = labels;
    }

    /// <summary>[classes, hidden].</summary>
    public Tensor Weight { get; }

    /// <summary>[classes], or none.</summary>
    public Tensor? Bias { get; }

    /// <summary>Class names in logits order, recorded in the model's metadata; optional.</summary>
    public IReadOnlyList<string>? Labels { get; }

    public int Classes => (int)Weight.shape[0];

    /// <summary>The same computation in TorchSharp, for validation: pooled [batch, hidden] → logits [batch, classes].</summary>
    public Tensor Apply(Tensor pooled) => nn.functional.linear(pooled, Weight.to(pooled.dtype, pooled.device), Bias?.to(pooled.dtype, pooled.device));
}
