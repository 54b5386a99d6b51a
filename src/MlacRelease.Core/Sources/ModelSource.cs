using MlacRelease.Common.Errors;
using MlacRelease.Core.Builtin;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Sources;

/// <summary>
/// Where an encoder comes from: "builtin:minilm" (all six layers) or "builtin:minilm:N" (its first N layers), a Hugging
/// Face folder or its model.safetensors (config.json and vocab.txt beside it), or an ONNX BERT graph (vocab.txt beside it).
/// </summary>
public static class ModelSource
{
    public const string Default = "builtin:minilm";

    /// <summary>The folder a model spec's files live in (what training writes beside the weights, e.g. split.json), or
    /// null for the built-in model.</summary>
    public static string? Folder(string spec) =>
        spec.StartsWith("builtin:", StringComparison.Ordinal) ? null
        : Directory.Exists(spec) ? Path.GetFullPath(spec)
        : Path.GetDirectoryName(Path.GetFullPath(spec));

    /// <summary>The pretrained reference a model is compared with when none is named: the built-in MiniLM cut to the
    /// model's layer count.</summary>
    public static string DefaultReferenceFor(EncoderConfig config) => $"builtin:minilm:{config.NumHiddenLayers}";

    /// <summary>The file a certificate records the digest of: the .onnx or .safetensors named, a release folder's
    /// onnx/model.onnx; null for the built-in model and a Hugging Face folder.</summary>
    public static string? WeightsFile(string spec) =>
        spec.StartsWith("builtin:", StringComparison.Ordinal) ? null : File.Exists(spec) ? spec : ReleaseModel(spec);

    /// <summary>onnx/model.onnx of a folder laid out as a release (no model.safetensors beside it), else null.</summary>
    private static string? ReleaseModel(string spec)
    {
        if (!Directory.Exists(spec) || File.Exists(Path.Combine(spec, HuggingFaceDirectory.WeightsFile))) return null;
        var model = Path.Combine(spec, Common.Release.ReleaseFileNames.Model);
        return File.Exists(model) ? model : null;
    }

    /// <summary>vocab.txt beside the ONNX file, else the word pieces of tokenizer.json in the release folder around onnx/.</summary>
    private static string? OnnxVocabulary(string onnxPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        var beside = Path.Combine(folder, HuggingFaceDirectory.VocabularyFile);
        if (File.Exists(beside)) return File.ReadAllText(beside);
        if (Path.GetFileName(folder) != Common.Release.ReleaseFileNames.ModelFolder) return null;
        var tokenizer = Path.Combine(Path.GetDirectoryName(folder)!, Common.Release.ReleaseFileNames.Tokenizer);
        if (!File.Exists(tokenizer)) return null;
        return Common.Text.HuggingFaceTokenizerJson.Parse(File.ReadAllBytes(tokenizer), tokenizer).Vocabulary.ToText();
    }

    public static (EncoderWeights Weights, string Vocabulary, string Description) Load(string spec)
    {
        if (spec.StartsWith("builtin:", StringComparison.Ordinal))
        {
            var parts = spec.Split(':');
            if (parts.Length is < 2 or > 3 || parts[1] != "minilm")
                throw new MlacInputException($"--model {spec}: the built-in model is 'builtin:minilm' or 'builtin:minilm:N' (N = layers to keep, 1..6)");
            int? layers = null;
            if (parts.Length == 3)
            {
                if (!int.TryParse(parts[2], out var n) || n is < 1 or > 6) throw new MlacInputException($"--model {spec}: N must be 1..6");
                layers = n;
            }
            return (BuiltinModel.Load(layers), BuiltinModel.ReadVocabulary(), $"built-in MiniLM ({layers ?? 6} layers)");
        }
        if (spec.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(spec)) throw new MlacInputException($"--model {spec}: no such file");
            var vocabulary = OnnxVocabulary(spec)
                ?? throw new MlacInputException($"--model {spec}: vocab.txt is expected beside the ONNX file (or, for a release folder's onnx/model.onnx, tokenizer.json in the folder)");
            return (OnnxBertImporter.Import(spec), vocabulary, spec);
        }
        if (ReleaseModel(spec) is { } released)
        {
            // A release folder (onnx/model.onnx, tokenizer.json): the weights the graph computes with, int8 ones dequantized.
            var vocabulary = OnnxVocabulary(released) ?? throw new MlacInputException($"--model {spec}: the release folder has no tokenizer.json or vocab.txt");
            return (OnnxBertImporter.Import(released), vocabulary, released);
        }
        if (!File.Exists(spec) && !Directory.Exists(spec))
            throw new MlacInputException($"--model {spec}: no such file or folder (expected builtin:minilm[:N], a Hugging Face folder, model.safetensors or an .onnx file)");
        var (weights, vocab) = HuggingFaceDirectory.Load(spec);
        return (weights, vocab, spec);
    }
}
