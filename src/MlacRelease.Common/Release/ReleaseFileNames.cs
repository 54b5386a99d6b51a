namespace MlacRelease.Common.Release;

/// <summary>
/// The files of a release folder, laid out as a Hugging Face ONNX model (config.json, tokenizer.json,
/// tokenizer_config.json, special_tokens_map.json, onnx/model.onnx, README.md) so that Hugging Face tooling
/// (transformers.js, Optimum) loads the folder as it is. Writer (Export) and reader (Inference) both use these names,
/// so they live here in Common, which Inference can reference without TorchSharp. Paths are relative to the folder,
/// with '/' between a sub-folder and a file.
/// </summary>
public static class ReleaseFileNames
{
    /// <summary>Where Hugging Face's ONNX loaders look for the graph.</summary>
    public const string ModelFolder = "onnx";

    public const string Model = ModelFolder + "/model.onnx";

    /// <summary>Tensor bytes of a model over protobuf's 2 GiB limit (ONNX external data), beside the model.</summary>
    public const string ModelExternalData = ModelFolder + "/model.onnx.data";

    /// <summary>What an initializer's external_data "location" says for <see cref="ModelExternalData"/>: ONNX resolves
    /// it relative to the model's own folder.</summary>
    public const string ModelExternalDataLocation = "model.onnx.data";

    /// <summary>The encoder's Hugging Face configuration, with id2label/label2id when a head is baked in.</summary>
    public const string Config = "config.json";

    /// <summary>The tokenizer in the Hugging Face tokenizers library's format; this toolkit's tokenizer reads it too.</summary>
    public const string Tokenizer = "tokenizer.json";

    public const string TokenizerConfig = "tokenizer_config.json";
    public const string SpecialTokensMap = "special_tokens_map.json";
    public const string Certificate = "certificate.json";

    /// <summary>The model card: Hugging Face reads a model's card from README.md.</summary>
    public const string ModelCard = "README.md";

    public const string Manifest = "manifest.json";

    /// <summary>The detached signature over manifest.json's exact bytes (written by the signing step, not listed in the manifest).</summary>
    public const string ManifestSignature = "manifest.sig";

    /// <summary>The OpenSSF model-signing signature (a Sigstore bundle over every file, written by the signing step, not listed in the manifest).</summary>
    public const string ModelSigningBundle = Integrity.ModelSigningBundle.DefaultFileName;

    /// <summary>Files a folder must list in its manifest before Inference serves it: the model and every file a
    /// Hugging Face loader tokenises or configures from, so that none of them can be swapped unsigned.</summary>
    public static IReadOnlyList<string> Required { get; } = [Model, Config, Tokenizer, TokenizerConfig, SpecialTokensMap];

    /// <summary>What the release gate requires: the served files and the certificate they are released under.</summary>
    public static IReadOnlyList<string> RequiredByGate { get; } = [.. Required, Certificate];

    /// <summary>Every file the exporter writes, and so all a release passing the gate may list: a Hugging Face consumer
    /// loads files the gate would otherwise never look at (onnx/model_quantized.onnx for transformers.js's dtype q8,
    /// vocab.txt for a slow tokenizer, added_tokens.json for any).</summary>
    public static IReadOnlyList<string> WrittenByExport { get; } = [.. RequiredByGate, ModelExternalData, ModelCard];
}
