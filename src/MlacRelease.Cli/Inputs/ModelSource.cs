using MlacRelease.Core.Builtin;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Cli.Console;

namespace MlacRelease.Cli.Inputs;

/// <summary>
/// Where an encoder comes from: "builtin:minilm" (all six layers) or "builtin:minilm:N" (its first N layers), a Hugging
/// Face folder or its model.safetensors (config.json and vocab.txt beside it), or an ONNX BERT graph (vocab.txt beside it).
/// </summary>
public static class ModelSource
{
    public const string Default = "builtin:minilm";

    public static (EncoderWeights Weights, string Vocabulary, string Description) Load(string spec)
    {
        if (spec.StartsWith("builtin:", StringComparison.Ordinal))
        {
            var parts = spec.Split(':');
            if (parts.Length is < 2 or > 3 || parts[1] != "minilm")
                throw new CliException($"--model {spec}: the built-in model is 'builtin:minilm' or 'builtin:minilm:N' (N = layers to keep, 1..6)");
            int? layers = null;
            if (parts.Length == 3)
            {
                if (!int.TryParse(parts[2], out var n) || n is < 1 or > 6) throw new CliException($"--model {spec}: N must be 1..6");
                layers = n;
            }
            return (BuiltinModel.Load(layers), BuiltinModel.ReadVocabulary(), $"built-in MiniLM ({layers ?? 6} layers)");
        }
        if (spec.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(spec)) throw new CliException($"--model {spec}: no such file");
            var vocabulary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(spec))!, "vocab.txt");
            if (!File.Exists(vocabulary)) throw new CliException($"--model {spec}: vocab.txt is expected beside the ONNX file");
            return (OnnxBertImporter.Import(spec), File.ReadAllText(vocabulary), spec);
        }
        if (!File.Exists(spec) && !Directory.Exists(spec))
            throw new CliException($"--model {spec}: no such file or folder (expected builtin:minilm[:N], a Hugging Face folder, model.safetensors or an .onnx file)");
        var (weights, vocab) = HuggingFaceDirectory.Load(spec);
        return (weights, vocab, spec);
    }
}
