using MlacRelease.Export.Onnx;
using MlacRelease.Export.Validation;

namespace MlacRelease.Export.Release;

/// <summary>Everything a release folder is written from besides the encoder's weights.</summary>
public sealed record ReleaseOptions
{
    /// <summary>The vocabulary text (vocab.txt) the encoder was trained with.</summary>
    public required string Vocabulary { get; init; }

    /// <summary>The exported graph's settings: tokenizer, head, flavour, external-data threshold. Its
    /// <see cref="OnnxExportOptions.CertificateDigest"/> must stay null: the writer pins the copied certificate's own
    /// digest. With <see cref="OnnxGraphFlavor.Int8"/> the release computes with, records and must be certified for the
    /// dequantized int8 weights.</summary>
    public OnnxExportOptions Onnx { get; init; } = new();

    /// <summary>certificate.json from certification, copied in and pinned by its digest in the model's metadata. Optional for now.</summary>
    public string? CertificatePath { get; init; }

    public ModelCardOptions ModelCard { get; init; } = new();

    /// <summary>Export-time parity check against the TorchSharp encoder; null skips it (not recommended).</summary>
    public ParityOptions? Parity { get; init; } = new();
}
