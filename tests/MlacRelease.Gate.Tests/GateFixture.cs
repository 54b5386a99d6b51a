using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Export.Release;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// One complete, signed release of a tiny encoder, built once: a certificate from a small real battery, the ONNX
/// export, the manifest and its signature, plus a second certificate for other weights. Each test copies the release
/// and breaks one thing.
/// </summary>
public sealed class GateFixture : IDisposable
{
    public static readonly EncoderConfig Config = new()
    {
        VocabSize = 40, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 64,
    };

    public const string Battery = """
        schema: mlac.battery/v1
        name: gate-test
        seed: 1
        max_length: 16
        evaluation: {every: 4, tune_examples: 32, test_examples: 48}
        data_sizes: [8]
        seeds: [0]
        search: {method: random_successive_halving, trials: 1, eta: 2, rungs: 1}
        metrics: {accuracy_targets: [0.7], blocking_min_gap: 0.05}
        retention:
          train_examples: 32
          probe_l2: 0.01
          fine_tune: {optimizer: adamw, learning_rate: 3.0e-3, schedule: constant, batch_size: 8, steps: 4}
        attacks:
          - family: linear_probe
            l2: {min: 1.0e-2, max: 1.0e-1}
        """;

    public GateFixture()
    {
        using var model = EncoderWeights.RandomInit(Config, seed: 1);
        using var pretrained = EncoderWeights.RandomInit(Config, seed: 2);
        using var other = EncoderWeights.RandomInit(Config, seed: 3);
        var data = Data();
        CertificatePath = Certify(model, pretrained, data, "cert");
        OtherCertificatePath = Certify(other, pretrained, data, "cert-other");
        SameWeightsCertificatePath = Certify(model, pretrained, data, "cert-same-weights", Battery.Replace("seed: 1", "seed: 2", StringComparison.Ordinal));
        PrivateKey = P("keys/release.key");
        PublicKey = P("keys/release.pub");
        SigningKeys.WriteKeyPair(PrivateKey, PublicKey);
        SigningKeys.WriteKeyPair(P("keys/other.key"), P("keys/other.pub"));
        WrongPublicKey = P("keys/other.pub");
        Release = P("release");
        WriteRelease(model, CertificatePath, Release);
        ReleaseWithOtherCertificate = P("release-other-cert");
        WriteRelease(model, OtherCertificatePath, ReleaseWithOtherCertificate);
        Policy = P("policy.yaml");
        File.WriteAllText(Policy, "schema: mlac.policy/v1\nmax_harmful_accuracy_over_random: {default: 1.0}\nmin_desired_retention: 0.0\nrequired_parity_tolerance: 1.0e-4\n");
        StrictPolicy = P("policy-strict.yaml");
        File.WriteAllText(StrictPolicy, "schema: mlac.policy/v1\nmax_harmful_accuracy_over_random: {default: 1.0}\nmin_desired_retention: 5.0\nrequired_parity_tolerance: 1.0e-4\n");
    }

    private readonly TempFolder _root = new("mlac-gate-");

    public string Root => _root.Path;

    public string Vocabulary => VocabularyText;

    private static readonly string VocabularyText =
        string.Join("\n", new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }.Concat(Enumerable.Range(5, 35).Select(i => $"w{i}"))) + "\n";
    public string CertificatePath { get; }
    public string OtherCertificatePath { get; }

    /// <summary>A second valid certificate for the release's own weights (another battery seed): different bytes.</summary>
    public string SameWeightsCertificatePath { get; }
    public string PrivateKey { get; }
    public string PublicKey { get; }
    public string WrongPublicKey { get; }
    public string Release { get; }
    public string ReleaseWithOtherCertificate { get; }
    public string Policy { get; }
    public string StrictPolicy { get; }

    public string P(string relative) => Path.Combine(Root, relative);

    /// <summary>A fresh copy of the good release to break.</summary>
    public string CopyOfRelease(string name)
    {
        return ReleaseCopy.Copy(Release, P($"copies/{name}"));
    }

    public void Dispose() => _root.Dispose();

    public void WriteRelease(EncoderWeights model, string certificate, string folder, MlacRelease.Export.Onnx.OnnxGraphFlavor flavor = MlacRelease.Export.Onnx.OnnxGraphFlavor.Portable,
        TokenizerSettings? tokenizer = null, long externalDataThresholdBytes = long.MaxValue)
    {
        using var head = DesiredHead();
        WriteRelease(model, certificate, folder, head.Head, flavor, tokenizer, externalDataThresholdBytes);
    }

    /// <summary>Writes and signs a release of <paramref name="model"/> with the classifier <paramref name="head"/> (none when null).</summary>
    public void WriteRelease(EncoderWeights model, string certificate, string folder, ClassificationHead? head,
        MlacRelease.Export.Onnx.OnnxGraphFlavor flavor = MlacRelease.Export.Onnx.OnnxGraphFlavor.Portable, TokenizerSettings? tokenizer = null,
        long externalDataThresholdBytes = long.MaxValue)
    {
        ReleaseWriter.Write(folder, model, new ReleaseOptions
        {
            Vocabulary = Vocabulary, CertificatePath = certificate,
            Onnx = new MlacRelease.Export.Onnx.OnnxExportOptions
            {
                Tokenizer = tokenizer ?? new TokenizerSettings { MaxLength = 16 }, Head = head, Flavor = flavor, ExternalDataThresholdBytes = externalDataThresholdBytes,
            },
            Parity = new MlacRelease.Export.Validation.ParityOptions { Tolerance = MlacRelease.Export.Validation.FlavorParity.DefaultTolerance(flavor) },
        });
        Common.Release.ReleaseSigning.Sign(folder, PrivateKey);
    }

    /// <summary>The desired-task head every release of the fixture carries (so the gate's parity check covers the logits
    /// output too), and its certificates record.</summary>
    public static OwnedClassificationHead DesiredHead() => new(new ClassificationHead(
        TorchSharp.torch.randn(2, Config.HiddenSize, generator: new TorchSharp.torch.Generator(7)), TorchSharp.torch.zeros(2), ["a", "b"]));

    /// <summary>The digest certificates record for <see cref="DesiredHead"/>.</summary>
    public static string DesiredHeadDigest()
    {
        using var head = DesiredHead();
        return HeadDigest.Of(head.Head.Weight, head.Head.Bias, head.Head.Labels);
    }

    /// <summary>Certifies <paramref name="model"/> with the tiny battery against <paramref name="pretrained"/>, to be released with
    /// the head of digest <paramref name="headDigest"/> (default: <see cref="DesiredHead"/>); returns certificate.json.</summary>
    public string Certify(EncoderWeights model, EncoderWeights pretrained, CertificationData data, string name, string battery = Battery, string? headDigest = null)
    {
        var result = Certifier.RunAsync(new CertificationRequest
        {
            Model = model, Pretrained = pretrained, Data = data, Battery = BatteryParser.Parse(battery, "gate-test.yaml"),
            OutputDirectory = P(name), WriteReport = false, HeadDigest = headDigest ?? DesiredHeadDigest(),
        }).GetAwaiter().GetResult();
        return result.CertificatePath;
    }

    public static CertificationData Data()
    {
        static List<EncodedExample> Examples(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var ids = new List<int> { 2 };
                for (var i = 0; i < 6; i++) ids.Add(random.Next(7, 40));
                ids.Add(3);
                var harmful = random.Next(2);
                ids[1 + random.Next(6)] = 5 + harmful;
                return new EncodedExample([.. ids], random.Next(2), harmful);
            }).ToList();
        }
        // The ids stand for text cut by the release's (uncased) tokenizer over this vocabulary; the gate checks that it is.
        return new CertificationData(Examples(48, 1), Examples(40, 2), Examples(60, 3), Examples(40, 4), ["f", "m"], ["a", "b"])
        {
            TokenizerDigest = new BertTextTokenizer(VocabularyText).Digest,
        };
    }
}

[CollectionDefinition(Name)]
public sealed class GateCollection : ICollectionFixture<GateFixture>
{
    public const string Name = "gate";
}
