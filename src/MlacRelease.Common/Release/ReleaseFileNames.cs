namespace MlacRelease.Common.Release;

/// <summary>
/// The files of a release folder. Writer (Export) and reader (Inference) both use these names, so they live here in
/// Common, which Inference can reference without TorchSharp.
/// </summary>
public static class ReleaseFileNames
{
    public const string Model = "model.onnx";

    /// <summary>Tensor bytes of a model over protobuf's 2 GiB limit (ONNX external data), beside model.onnx.</summary>
    public const string ModelExternalData = "model.onnx.data";

    public const string Vocabulary = "vocab.txt";
    public const string Tokenizer = "tokenizer.json";
    public const string Certificate = "certificate.json";
    public const string ModelCard = "MODEL_CARD.md";
    public const string Manifest = "manifest.json";

    /// <summary>The detached signature over manifest.json's exact bytes (written by the signing step, not listed in the manifest).</summary>
    public const string ManifestSignature = "manifest.sig";

    /// <summary>The OpenSSF model-signing signature (a Sigstore bundle over every file, written by the signing step, not listed in the manifest).</summary>
    public const string ModelSigningBundle = Integrity.ModelSigningBundle.DefaultFileName;

    /// <summary>Files a folder must list in its manifest before Inference serves it.</summary>
    public static IReadOnlyList<string> Required { get; } = [Model, Vocabulary, Tokenizer];

    /// <summary>What the release gate requires: the served files and the certificate they are released under.</summary>
    public static IReadOnlyList<string> RequiredByGate { get; } = [Model, Vocabulary, Tokenizer, Certificate];
}
