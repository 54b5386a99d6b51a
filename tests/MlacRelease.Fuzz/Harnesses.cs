using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Policies;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Tests.Shared;
using MlacRelease.Common.Errors;

namespace MlacRelease.Fuzz;

/// <summary>
/// One loader under fuzz: what it is fed (bytes), which exceptions are its typed errors (anything else is a crash),
/// and its seeds (real files of the repository and files the toolkit itself writes).
/// </summary>
public sealed record Harness(string Name, string Description, IReadOnlyList<Type> TypedErrors, Action<byte[]> Run, Func<IEnumerable<(string Name, byte[] Data)>> Seeds)
{
    /// <summary>Is <paramref name="e"/> one of this loader's typed errors (or derived from one)?</summary>
    public bool IsTypedError(Exception e) => TypedErrors.Any(t => t.IsInstanceOfType(e));
}

/// <summary>A bad command line of the fuzz tool (exit 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The harnesses, one per loader the issue names.</summary>
public static class Harnesses
{
    private static readonly Type[] Data = [typeof(MlacInputException), typeof(InvalidDataException)];

    public static IReadOnlyList<Harness> All { get; } =
    [
        new("safetensors", "SafetensorsReader.Read over the bytes, every tensor's data materialised", [typeof(SafetensorsFormatException)], bytes =>
        {
            var file = SafetensorsReader.Read(bytes, sourceName: "fuzz.safetensors");
            foreach (var t in file.Tensors) _ = t.Data.Length;
        }, () => Seed.Named("model.safetensors", Seed.TinyModelFile("model.safetensors"))),
        new("onnx", "OnnxBertImporter.Import (protobuf parse, graph walk, tensors to TorchSharp)", Data, bytes =>
        {
            using var weights = OnnxBertImporter.Import(bytes, "fuzz.onnx");
        }, () => Seed.Named("model.onnx", Seed.TinyOnnx())),
        new("config", "EncoderConfig.FromJson + Validate (Hugging Face config.json)", Data,
            bytes => EncoderConfig.FromJson(Encoding.UTF8.GetString(bytes), "fuzz/config.json").Validate("fuzz/config.json"),
            () => Seed.Named("config.json", Seed.TinyModelFile("config.json"))),
        new("jsonl", "DatasetLoader.Load of a .jsonl dataset", [typeof(DatasetFormatException)],
            bytes => DatasetLoader.Load(new MemoryStream(bytes), "fuzz.jsonl", new DatasetLoadOptions { Format = DatasetFileFormat.Jsonl }),
            () => Seed.Named("bios.jsonl", Seed.Jsonl())),
        new("csv", "DatasetLoader.Load of a .csv dataset", [typeof(DatasetFormatException)],
            bytes => DatasetLoader.Load(new MemoryStream(bytes), "fuzz.csv", new DatasetLoadOptions { Format = DatasetFileFormat.Csv }),
            () => Seed.Named("bios.csv", Seed.Csv())),
        new("battery", "BatteryParser.Parse (strict YAML)", [typeof(StrictYamlException)],
            bytes => BatteryParser.Parse(Encoding.UTF8.GetString(bytes), "fuzz/battery.yaml"),
            () => Seed.RepositoryFiles("release-checks/batteries", "release-checks/extra-batteries")),
        new("policy", "PolicyParser.Parse (strict YAML)", [typeof(StrictYamlException)],
            bytes => PolicyParser.Parse(Encoding.UTF8.GetString(bytes), "fuzz/policy.yaml"),
            () => Seed.RepositoryFiles("release-checks/policy.yaml", "release-checks/policy-demo.yaml")),
        new("certificate", "CertificateVerifier.Verify (parse, canonical form, digests, recomputed summary and verdict)", Data,
            bytes => CertificateVerifier.Verify(bytes, "fuzz/certificate.json"),
            () => Seed.RepositoryFiles("release-checks/examples/quick/certificate.json", "release-checks/examples/science/quick/certificate.json")),
        new("manifest", "ReleaseManifest.Parse (manifest.json)", Data,
            bytes => ReleaseManifest.Parse(Encoding.UTF8.GetString(bytes), "fuzz/manifest.json"),
            () => Seed.Named("manifest.json", Seed.Release().Manifest)),
        new("signature", "ManifestSignature.Verify of manifest.sig over a fixed manifest", Data, bytes =>
        {
            var release = Seed.Release();
            ManifestSignature.Verify(release.Manifest, bytes, release.Key, "fuzz/manifest.sig");
        }, () => Seed.Named("manifest.sig", Seed.Release().Signature)),
        new("bundle", "ModelSigningBundle.Verify of model.sig (Sigstore bundle)", Data,
            bytes => ModelSigningBundle.Verify(bytes, Seed.Release().Key, "fuzz/model.sig"),
            () => Seed.Named("model.sig", Seed.Release().Bundle)),
        new("statement", "ModelSigningStatement.Parse of a bundle's in-toto payload (behind the signature check)", Data,
            bytes => ModelSigningStatement.Parse(bytes, Seed.Release().KeyHint, "fuzz/model.sig payload"),
            () => Seed.Named("statement.json", Seed.Release().Statement)),
        new("vocab", "vocab.txt → BertTextTokenizer, then encoding a sentence", Data, bytes =>
        {
            var tokenizer = new BertTextTokenizer(Encoding.UTF8.GetString(bytes), source: "fuzz/vocab.txt");
            tokenizer.Encode("A nurse in Montréal, unaffable, 42 years.");
        }, () => Seed.Named("vocab.txt", Encoding.UTF8.GetBytes(Seed.Vocabulary))),
        new("tokenizer-json", "HuggingFaceTokenizerJson.Parse (tokenizer.json) → tokenizer, then encoding a sentence", Data, bytes =>
        {
            var file = HuggingFaceTokenizerJson.Parse(bytes, "fuzz/tokenizer.json");
            BertTextTokenizer.FromTokenizerJson(file, "fuzz/tokenizer.json").Encode("A nurse in Montréal, unaffable, 42 years.");
        }, () => Seed.Named("tokenizer.json", Seed.TokenizerJson())),
        new("tokenizer-config", "TokenizerSettingsJson.Parse (the release's tokenizer options)", Data,
            bytes => TokenizerSettingsJson.Parse(Encoding.UTF8.GetString(bytes), "fuzz/tokenizer_config.json"),
            () => Seed.Named("tokenizer_config.json", Encoding.UTF8.GetBytes(TokenizerSettingsJson.ToJson(new TokenizerSettings())))),
        new("release-config", "ReleaseModelConfig.Parse (a release's config.json with labels)", Data,
            bytes => ReleaseModelConfig.Parse(bytes, "fuzz/config.json"),
            () => Seed.Named("config.json", Encoding.UTF8.GetBytes(ReleaseModelConfig.ToJson(Seed.TinyConfig.ToJson(), ["nurse", "poet"])))),
        new("split", "SplitRecord.Parse (split.json beside a trained model)", Data,
            bytes => SplitRecord.Parse(bytes, "fuzz/split.json"),
            () => Seed.Named("split.json", Seed.Split())),
        new("shard-manifest", "shard-manifest.json: strict canonical JSON, then the context's identity recomputed", Data, bytes =>
        {
            var manifest = CanonicalJson.Deserialize<ShardManifest>(bytes, "fuzz/shard-manifest.json");
            _ = manifest.Context.Identity();
        }, () => Seed.Corpus("shard-manifest")),
        new("shard-unit", "units/<unit>.json of a shard (StoredUnit)", Data,
            bytes => CanonicalJson.Deserialize<StoredUnit>(bytes, "fuzz/units/unit.json"),
            () => Seed.Corpus("shard-unit")),
        new("shard-run", "runs/<unit>/<run>.json of a shard (StoredRun)", Data,
            bytes => CanonicalJson.Deserialize<StoredRun>(bytes, "fuzz/runs/unit/run.json"),
            () => Seed.Corpus("shard-run")),
    ];

    public static Harness Get(string name) => All.FirstOrDefault(h => h.Name == name)
        ?? throw new UsageException($"no harness '{name}'; harnesses: {string.Join(", ", All.Select(h => h.Name))}");
}

/// <summary>Seed inputs: repository files, committed corpus files and files the toolkit writes for a tiny encoder.</summary>
internal static class Seed
{
    public static EncoderConfig TinyConfig { get; } = new()
    {
        VocabSize = Vocabulary.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2,
        IntermediateSize = 16, MaxPositionEmbeddings = 128,
    };

    public static string Vocabulary => string.Join("\n", new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }
        .Concat("a nurse in montreal poet lagos years , . 42 the they their un ##aff ##able dentist ohio ten".Split(' '))) + "\n";

    public static IEnumerable<(string, byte[])> Named(string name, byte[] data) => [(name, data)];

    private static readonly Lazy<Dictionary<string, byte[]>> Model = new(() =>
    {
        using var temp = new TempFolder("mlac-fuzz-seed-");
        var folder = temp.Path;
        using var weights = EncoderWeights.RandomInit(TinyConfig, seed: 1);
        HuggingFaceDirectory.Save(folder, weights, Vocabulary);
        return Directory.EnumerateFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
    });

    public static byte[] TinyModelFile(string name) => Model.Value[name];

    public static byte[] TinyOnnx()
    {
        using var weights = EncoderWeights.RandomInit(TinyConfig, seed: 1);
        return Export.Onnx.EncoderOnnxExporter.Build(weights).ToByteArray();
    }

    private static IEnumerable<Example> Bios() => BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 6, Seed = 1 });

    public static byte[] Jsonl()
    {
        using var stream = new MemoryStream();
        JsonlWriter.Write(stream, Bios());
        return stream.ToArray();
    }

    public static byte[] Csv() => Encoding.UTF8.GetBytes("text,desired,harmful\n" + string.Concat(Bios().Select(e =>
        $"\"{e.Text.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{e.DesiredLabel},{e.HarmfulLabel}\n")));

    public static byte[] Split()
    {
        using var temp = new TempFolder("mlac-fuzz-split-");
        var folder = temp.Path;
        new SplitRecord(5, SplitFractions.Paper, "sha256:" + new string('0', 64)).Write(folder);
        return File.ReadAllBytes(Path.Combine(folder, SplitRecord.FileName));
    }

    public static byte[] TokenizerJson() => Encoding.UTF8.GetBytes(new HuggingFaceTokenizerJson
    {
        Vocabulary = WordPieceVocabulary.FromText(Vocabulary, "seed vocab.txt"), Settings = new TokenizerSettings(),
    }.ToJson());

    public sealed record SignedRelease(byte[] Manifest, byte[] Signature, byte[] Bundle, byte[] Statement, ECDsa Key, string KeyHint);

    private static readonly Lazy<SignedRelease> Signed = new(() =>
    {
        using var temp = new TempFolder("mlac-fuzz-release-");
        var folder = temp.Path;
        File.WriteAllBytes(Path.Combine(folder, "config.json"), TinyModelFile("config.json"));
        File.WriteAllText(Path.Combine(folder, "vocab.txt"), Vocabulary);
        var manifest = new ReleaseManifest
        {
            ToolVersion = "0.1.0",
            Files = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => new ReleaseManifestEntry(
                Path.GetFileName(f), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))), new FileInfo(f).Length)).ToList(),
        };
        File.WriteAllText(Path.Combine(folder, ReleaseFileNames.Manifest), manifest.ToJson());
        var keyPath = Path.Combine(folder, "..", Path.GetFileName(folder) + ".key");
        SigningKeys.WriteKeyPair(keyPath, Path.ChangeExtension(keyPath, ".pub"));
        ReleaseSigning.Sign(folder, keyPath);
        var key = SigningKeys.LoadPublic(Path.ChangeExtension(keyPath, ".pub"));
        File.Delete(keyPath);
        File.Delete(Path.ChangeExtension(keyPath, ".pub"));
        var bundle = File.ReadAllBytes(Path.Combine(folder, ModelSigningBundle.DefaultFileName));
        var payload = System.Text.Json.JsonDocument.Parse(bundle).RootElement.GetProperty("dsseEnvelope").GetProperty("payload").GetString()!;
        return new SignedRelease(File.ReadAllBytes(Path.Combine(folder, ReleaseFileNames.Manifest)), File.ReadAllBytes(Path.Combine(folder, ManifestSignature.FileName)),
            bundle, Convert.FromBase64String(payload), key, SigningKeys.KeyId(key));
    });

    public static SignedRelease Release() => Signed.Value;

    /// <summary>Files under tests/MlacRelease.Fuzz/&lt;folder&gt;/: corpus/&lt;harness&gt; (real files of a sharded certification)
    /// or regressions/&lt;harness&gt; (inputs that once crashed the loader, replayed first by every run and the CI smoke).</summary>
    public static IEnumerable<(string, byte[])> Corpus(string folder) => Files(Path.Combine("corpus", folder));

    public static IEnumerable<(string, byte[])> Files(string relative)
    {
        var folder = Path.Combine(RepositoryRoot, "tests", "MlacRelease.Fuzz", relative);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))) : [];
    }

    public static IEnumerable<(string, byte[])> RepositoryFiles(params string[] paths)
    {
        foreach (var relative in paths)
        {
            var path = Path.Combine(RepositoryRoot, relative);
            IEnumerable<string> files = Directory.Exists(path) ? Directory.EnumerateFiles(path, "*.yaml").Order(StringComparer.Ordinal) : [path];
            foreach (var f in files) yield return (relative + "/" + Path.GetFileName(f), File.ReadAllBytes(f));
        }
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlacRelease.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
