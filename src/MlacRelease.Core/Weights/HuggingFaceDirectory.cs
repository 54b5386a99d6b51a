using MlacRelease.Common.IO;
using MlacRelease.Core.Model;
using TorchSharp;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Weights;

/// <summary>
/// A Hugging Face model folder: config.json + model.safetensors + vocab.txt. Our checkpoints are this format, so a
/// released encoder loads by name in Hugging Face tooling (BertModel.from_pretrained) and theirs load here.
/// </summary>
public static class HuggingFaceDirectory
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string VocabularyFile = "vocab.txt";
    private const long MaxConfigBytes = 1 << 20;

    /// <summary>Writes the three files (each atomically); returns the weight digest recorded in the safetensors metadata.</summary>
    public static string Save(string folder, EncoderWeights weights, string vocabulary, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(folder);
        var records = weights.ToRecords();
        var digest = WeightDigest.Compute(records);
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["format"] = "pt",
            ["mlac.weight_digest"] = digest,
        };
        SafetensorsWriter.Write(Path.Combine(folder, WeightsFile), records, meta);
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), weights.Config.ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, VocabularyFile), vocabulary);
        return digest;
    }

    /// <summary>A model folder's configuration and vocabulary without its weights (bounded as <see cref="Load"/> reads them).</summary>
    public static (EncoderConfig Config, string Vocabulary) ReadDescription(string folder)
    {
        var configPath = Path.Combine(folder, ConfigFile);
        var vocabularyPath = Path.Combine(folder, VocabularyFile);
        foreach (var required in new[] { configPath, vocabularyPath })
        {
            if (!File.Exists(required)) throw new FileNotFoundException($"{required}: missing (a model folder holds {ConfigFile}, {WeightsFile} and {VocabularyFile})", required);
        }
        return (ReadConfig(configPath), File.ReadAllText(vocabularyPath));
    }

    private static EncoderConfig ReadConfig(string configPath)
    {
        if (new FileInfo(configPath).Length > MaxConfigBytes) throw new MlacInputException($"{configPath}: larger than {MaxConfigBytes} bytes");
        return EncoderConfig.FromJson(File.ReadAllText(configPath), configPath);
    }

    /// <summary>Loads a folder (or the model.safetensors path inside one). Unknown tensors, wrong shapes and
    /// a digest that disagrees with the file's own metadata are errors that name the file.</summary>
    public static (EncoderWeights Weights, string Vocabulary) Load(string path, torch.Device? device = null)
    {
        var folder = File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{path}: no such model folder");
        var configPath = Path.Combine(folder, ConfigFile);
        var weightsPath = File.Exists(path) ? path : Path.Combine(folder, WeightsFile);
        var vocabularyPath = Path.Combine(folder, VocabularyFile);
        foreach (var required in new[] { configPath, weightsPath, vocabularyPath })
        {
            if (!File.Exists(required)) throw new FileNotFoundException($"{required}: missing (a model folder holds {ConfigFile}, {WeightsFile} and {VocabularyFile})", required);
        }
        var config = ReadConfig(configPath);
        var file = SafetensorsReader.Read(weightsPath);
        var records = file.Tensors.Where(r => !r.Name.EndsWith("position_ids", StringComparison.Ordinal)
            && !r.Name.StartsWith("cls.", StringComparison.Ordinal)).ToList();
        if (file.Metadata.TryGetValue("mlac.weight_digest", out var recorded))
        {
            var actual = WeightDigest.Compute(records);
            if (!string.Equals(actual, recorded, StringComparison.Ordinal))
                throw new MlacInputException($"{weightsPath}: weight digest {actual} differs from the {recorded} recorded in its metadata (the file was altered)");
        }
        var tensors = TorchTensorRecords.ToTensors(records, device);
        try
        {
            return (new EncoderWeights(config, tensors, weightsPath), File.ReadAllText(vocabularyPath));
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }
}
