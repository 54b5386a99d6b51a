using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using TorchSharp;

namespace MlacRelease.Training.Trainer;

/// <summary>What a training run starts from: the pretrained encoder (not modified), its vocabulary and tokenizer, the
/// labelled dataset and the defender's split of it, the device and the output folder.</summary>
public sealed record TrainingRunInputs
{
    public required EncoderWeights Pretrained { get; init; }
    public required string Vocabulary { get; init; }
    public required BertTextTokenizer Tokenizer { get; init; }
    public required Dataset Dataset { get; init; }
    public required IReadOnlyList<Example> DefenderTrain { get; init; }
    public required string OutputFolder { get; init; }
    public torch.Device Device { get; init; } = torch.CPU;

    /// <summary>How <see cref="DefenderTrain"/> was split off; written beside the model (split.json) so certification
    /// splits the same way. Null: nothing is written (the caller split the data some other way).</summary>
    public SplitRecord? Split { get; init; }

    /// <summary>Ignore an existing checkpoint in the output folder and start over.</summary>
    public bool Restart { get; init; }
}
