using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.IO;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Validation;
using MlacRelease.Common.Errors;

namespace MlacRelease.Export.Release;

/// <summary>
/// Writes a release folder laid out as a Hugging Face ONNX model: onnx/model.onnx (validated against the encoder),
/// config.json (with id2label/label2id for a head), tokenizer.json (the tokenizers library's format, which this
/// toolkit's tokenizer reads too), tokenizer_config.json, special_tokens_map.json, certificate.json (when given), the
/// model card as README.md, and last manifest.json with the SHA-256 and size of every other file. Each file is
/// written atomically, and the manifest last, so a folder with a manifest is complete; a failure on the way (the
/// parity check, say) leaves no manifest, and the loader refuses such a folder. manifest.sig (signing) is a later
/// step over the manifest's bytes.
/// </summary>
public static class ReleaseWriter
{
    public static ReleaseWriteResult Write(string folder, EncoderWeights weights, ReleaseOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Onnx.CertificateDigest is not null)
            throw new ArgumentException("ReleaseOptions.Onnx.CertificateDigest is the writer's to set (from CertificatePath); leave it null", nameof(options));
        var onnx = options.Onnx;
        folder = Path.GetFullPath(folder);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"{folder}: the release folder must be new or empty (stale files would end up in the manifest)");
        Directory.CreateDirectory(folder);

        // The tokenizer is built first, from the tokenizer.json the release will hold (read back as a consumer reads it):
        // a vocabulary that does not load fails the release before anything is written.
        var tokenizerFile = new HuggingFaceTokenizerJson { Vocabulary = WordPieceVocabulary.FromText(options.Vocabulary, "vocabulary"), Settings = onnx.Tokenizer.Validate() };
        var tokenizerJson = tokenizerFile.ToJson();
        var tokenizer = BertTextTokenizer.FromTokenizerJson(HuggingFaceTokenizerJson.Parse(System.Text.Encoding.UTF8.GetBytes(tokenizerJson), ReleaseFileNames.Tokenizer), ReleaseFileNames.Tokenizer);
        var (certificateDigest, certificate) = CopyCertificate(folder, options.CertificatePath);

        Directory.CreateDirectory(Path.Combine(folder, ReleaseFileNames.ModelFolder));
        var export = EncoderOnnxExporter.Save(weights, Path.Combine(folder, ReleaseFileNames.Model), onnx with { CertificateDigest = certificateDigest });
        if (export.ExternalDataPath is not null && Path.GetFullPath(export.ExternalDataPath) != Path.Combine(folder, ReleaseFileNames.ModelExternalData))
            throw new InvalidOperationException($"external data went to {export.ExternalDataPath}, not {ReleaseFileNames.ModelExternalData}");

        ParityReport? parity = null;
        if (options.Parity is { } parityOptions)
        {
            // An int8 model is checked against the weights it holds (dequantized), not the fp32 ones it was made from.
            using var shipped = FlavorParity.ShippedWeightsIfOther(weights, onnx.Flavor);
            parity = OnnxParityValidator.Validate(shipped ?? weights, export.ModelPath, onnx.Head, parityOptions with
            {
                Tokenizer = parityOptions.Tokenizer ?? tokenizer,
            });
        }

        // The same function of the model's records the gate checks these files against, byte for byte.
        var labels = onnx.Head is { } head ? head.Labels ?? ReleaseModelConfig.DefaultLabels(head.Classes) : null;
        foreach (var (path, text) in ReleaseConsumerFiles.Render(tokenizerFile, weights.Config.ToJson(), labels))
            AtomicFile.WriteAllText(Path.Combine(folder, path), text);

        List<string> outputs = [OnnxIoNames.LastHiddenState, OnnxIoNames.PoolerOutput];
        if (onnx.Head is not null) outputs.Add(OnnxIoNames.Logits);
        var card = ModelCard.Render(options.ModelCard, new ModelCardFacts
        {
            Layers = weights.Config.NumHiddenLayers,
            HiddenSize = weights.Config.HiddenSize,
            Heads = weights.Config.NumAttentionHeads,
            Outputs = outputs,
            Classes = onnx.Head?.Classes ?? 0,
            WeightDigest = export.WeightDigest,
            CertificateDigest = certificateDigest,
            CertificateJson = certificate,
            Opset = OnnxExportOptions.Opset,
            ToolVersion = EncoderOnnxExporter.ToolVersion,
            ParitySummary = parity is null ? null : $"max |Δ| {parity.MaxAbsDiff:E2} over {parity.Cases.Count} batches (tolerance {parity.Tolerance:E0})",
        });
        AtomicFile.WriteAllText(Path.Combine(folder, ReleaseFileNames.ModelCard), card);

        var manifest = ManifestBuilder.Describe(folder, EncoderOnnxExporter.ToolVersion);
        AtomicFile.WriteAllText(Path.Combine(folder, ReleaseFileNames.Manifest), manifest.ToJson());
        return new ReleaseWriteResult(folder, manifest, export, parity);
    }

    /// <summary>Copies the certificate's bytes (read once, so the digest in the model is of exactly the bytes shipped)
    /// and parses them as JSON for the model card.</summary>
    private static (string? Digest, JsonObject? Json) CopyCertificate(string folder, string? path)
    {
        if (path is null) return (null, null);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such certificate", path);
        var bytes = File.ReadAllBytes(path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                ?? throw new MlacInputException($"{path}: a certificate must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{path}: the certificate is not valid JSON ({e.Message})", e);
        }
        AtomicFile.WriteAllBytes(Path.Combine(folder, ReleaseFileNames.Certificate), bytes);
        using var stream = new MemoryStream(bytes, writable: false);
        return (FileDigest.Sha256(stream), json);
    }
}
