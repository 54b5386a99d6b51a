namespace MlacRelease.Common.Release;

/// <summary>Keys of the ONNX model's metadata_props that tie the graph to its weights, certificate and tokenizer.</summary>
public static class OnnxMetadataKeys
{
    /// <summary>The canonical weight digest ("sha256:…", see WeightDigest in Core) of the exported encoder.</summary>
    public const string WeightDigest = "mlac.weight_digest";

    /// <summary>SHA-256 of the certificate.json file the export was made under; absent when none was given.</summary>
    public const string CertificateDigest = "mlac.certificate_digest";

    /// <summary>The <see cref="Text.TokenizerSettings"/> as JSON (see <see cref="Text.TokenizerSettingsJson"/>).</summary>
    public const string Tokenizer = "mlac.tokenizer";

    /// <summary>The encoder's Hugging Face config.json.</summary>
    public const string EncoderConfig = "mlac.encoder_config";

    /// <summary>JSON array of class names, in logits order; present only when the graph has a classification head.</summary>
    public const string Labels = "mlac.labels";

    public const string ToolVersion = "mlac.tool_version";
}
