using MlacRelease.Core.Numerics;
using MlacRelease.Common.Text;
using MlacRelease.Core.Builtin;
using MlacRelease.Core.Model;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Release;
using MlacRelease.Export.Validation;
using TorchSharp;

namespace MlacRelease.Export.Tests;

/// <summary>
/// The built-in MiniLM loaded once for the whole collection, with the exports the tests share: the full 6-layer
/// model (for comparisons with the original export) and a 2-layer model with a classification head, written as a
/// release folder (enough for the loader, inference and concurrency tests, at a third of the cost).
/// </summary>
public sealed class ExportFixture : IDisposable
{
    private readonly Lazy<string> _fullExport;
    private readonly Lazy<ReleaseWriteResult> _release;
    private readonly TempFolder _folder = new("mlac-export-tests-");

    public ExportFixture()
    {
        PrivateKey = Path.Combine(Folder, "release.key");
        PublicKey = Path.Combine(Folder, "release.pub");
        Common.Integrity.SigningKeys.WriteKeyPair(PrivateKey, PublicKey);
        OriginalOnnx = BuiltinModel.ReadOnnx();
        OriginalOnnxPath = Path.Combine(Folder, "original-minilm.onnx");
        File.WriteAllBytes(OriginalOnnxPath, OriginalOnnx);
        Weights = Core.Weights.OnnxBertImporter.Import(OriginalOnnx, BuiltinModel.Name);
        Vocabulary = BuiltinModel.ReadVocabulary();
        Tokenizer = new BertTextTokenizer(Vocabulary);
        TwoLayers = Weights.TruncateLayers(2);
        var generator = new torch.Generator(7, torch.CPU);
        HeadWeight = torch.randn([3, TwoLayers.Config.HiddenSize], generator: generator).Times(0.2f);
        HeadBias = torch.randn([3], generator: generator).Times(0.1f);
        Head = new ClassificationHead(HeadWeight, HeadBias, ["nurse", "surgeon", "teacher"]);

        _fullExport = new Lazy<string>(() =>
        {
            var path = Path.Combine(Folder, "minilm-export.onnx");
            EncoderOnnxExporter.Save(Weights, path);
            return path;
        });
        _release = new Lazy<ReleaseWriteResult>(() =>
        {
            var certificate = Path.Combine(Folder, "certificate.json");
            File.WriteAllText(certificate, """
                {"schema_version": 1, "context": {"data": {"dataset_digest": "sha256:d474"}}, "verdict": {"passed": true, "policy": "quick"},
                 "worst_case": {"attack": "adamw-lr1e-4", "blocking_score": 0.93, "by_size": [
                   {"data_size": 20, "model_accuracy": 0.534375, "pretrained_accuracy": 0.584375, "random_init_accuracy": 0.546875, "blocking_score": null},
                   {"data_size": "all", "model_accuracy": 0.52, "pretrained_accuracy": 0.88, "random_init_accuracy": 0.54, "blocking_score": 1.055}]},
                 "curves": []}
                """);
            var written = ReleaseWriter.Write(Path.Combine(Folder, "release"), TwoLayers, new ReleaseOptions
            {
                Vocabulary = Vocabulary,
                CertificatePath = certificate,
                Onnx = new OnnxExportOptions { Head = Head },
                ModelCard = new ModelCardOptions { License = "mit", Title = "MiniLM (2 layers) with a test head" },
                Parity = new ParityOptions { BatchSizes = [1, 3], SequenceLengths = [7, 20] },
            });
            Sign(written.Folder);
            return written;
        });
    }

    public string Folder => _folder.Path;

    public string PrivateKey { get; }

    /// <summary>The key the release is signed with: inference opens only signed folders unless told otherwise.</summary>
    public string PublicKey { get; }

    /// <summary>Signs a release folder's manifest with <see cref="PrivateKey"/>.</summary>
    public void Sign(string folder) => Common.Release.ReleaseSigning.Sign(folder, PrivateKey);

    public byte[] OriginalOnnx { get; }

    public string OriginalOnnxPath { get; }

    /// <summary>The 6-layer MiniLM as imported from its original export.</summary>
    public EncoderWeights Weights { get; }

    public EncoderWeights TwoLayers { get; }

    public torch.Tensor HeadWeight { get; }

    public torch.Tensor HeadBias { get; }

    public ClassificationHead Head { get; }

    public string Vocabulary { get; }

    public BertTextTokenizer Tokenizer { get; }

    /// <summary>Our export of the 6-layer MiniLM (written on first use).</summary>
    public string FullExportPath => _fullExport.Value;

    /// <summary>The 2-layer release folder with head and certificate (written on first use). Tests must not modify it: copy it first.</summary>
    public ReleaseWriteResult Release => _release.Value;

    /// <summary>A fresh copy of the release folder a test may tamper with.</summary>
    public string CopyOfRelease()
    {
        return ReleaseCopy.Copy(Release.Folder, Path.Combine(Folder, "copy-" + Guid.NewGuid().ToString("N")));
    }

    public void Dispose()
    {
        Weights.Dispose();
        TwoLayers.Dispose();
        HeadWeight.Dispose();
        HeadBias.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ExportCollection : ICollectionFixture<ExportFixture>
{
    public const string Name = "Export";
}
