using MlacRelease.Common.Text;
using MlacRelease.Core.Model;

namespace MlacRelease.Export.Onnx;

/// <summary>What goes into an exported model beside the encoder's weights.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Opset 17 is the first with LayerNormalization as a standard operator (one node per LayerNorm).</summary>
    public const int Opset = 17;

    /// <summary>IR version 8 pairs with opset 17 (ONNX 1.12), the newest the Debian onnx checker accepts.</summary>
    public const int IrVersion = 8;

    /// <summary>Protobuf cannot serialise a message of 2 GiB or more; leave room for the graph itself.</summary>
    public const long DefaultExternalDataThresholdBytes = 1_900_000_000;

    /// <summary>Travels in the metadata so inference tokenizes the way training did.</summary>
    public TokenizerSettings Tokenizer { get; init; } = new();

    /// <summary>SHA-256 ("sha256:…") of the certificate this export is released under, if any.</summary>
    public string? CertificateDigest { get; init; }

    public OnnxGraphFlavor Flavor { get; init; } = OnnxGraphFlavor.Portable;

    /// <summary>Adds a "logits" output when given.</summary>
    public ClassificationHead? Head { get; init; }

    /// <summary>When the initializers together exceed this many bytes, tensors go to an external data file beside the
    /// model (ONNX external data). 0 forces external data; <see cref="long.MaxValue"/> forbids it.</summary>
    public long ExternalDataThresholdBytes { get; init; } = DefaultExternalDataThresholdBytes;
}
