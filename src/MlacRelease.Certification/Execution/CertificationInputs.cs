using MlacRelease.Certification.Batteries;
using MlacRelease.Core.Data;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// A certification as a caller names it (the CLI's arguments): model, reference and data specs in the forms
/// <c>ModelSource</c> and <c>DataSource</c> read, the battery, and the split. <see cref="CertificationLoader"/> turns
/// it into a <see cref="CertificationRequest"/>.
/// </summary>
public sealed record CertificationInputs
{
    /// <summary>builtin:minilm[:N], a Hugging Face folder or its model.safetensors, or an .onnx BERT graph.</summary>
    public required string Model { get; init; }

    /// <summary>The pretrained original; null: the built-in MiniLM with the model's layer count.</summary>
    public string? Pretrained { get; init; }

    /// <summary>A .jsonl / .csv file or builtin:bios[:COUNT[:SEED]].</summary>
    public required string Data { get; init; }

    public DatasetSchema Schema { get; init; } = DatasetSchema.Default;

    public required Battery Battery { get; init; }

    /// <summary>The split seed; null: the model's recorded split (split.json), else 0. A value that disagrees with the
    /// recorded split is refused.</summary>
    public ulong? SplitSeed { get; init; }

    /// <summary>The split fractions; null: the recorded ones, else the paper's. Refused when they disagree with the record.</summary>
    public SplitFractions? SplitFractions { get; init; }

    /// <summary>heads.safetensors with the head the model is to be released with (as <c>mlac export --head</c>); null:
    /// the one beside the model folder, if any. Its digest goes into the certificate.</summary>
    public string? HeadPath { get; init; }

    /// <summary>Tokens per example; null: the battery's (any other value is refused when the certification starts).</summary>
    public int? MaxLength { get; init; }
}
