using System.Text.Json;
using Google.Protobuf;
using MlacRelease.Certification.Certificates;
using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Core.Sources;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// An int8 release certified as shipped: the int8 model is exported, its weights are read back from the file
/// (dequantized as ONNX Runtime computes them) and certified, and the release written from the fp32 weights with that
/// certificate must pass the gate, because re-quantizing gives the same int8 weights. Altered int8 values or scales,
/// a rewired product, or a certificate of the fp32 weights are refused, even re-hashed and re-signed.
/// </summary>
[Collection(GateCollection.Name)]
public sealed class Int8GateTests(GateFixture f)
{
    private static readonly Lock Building = new();
    private static readonly Common.Text.TokenizerSettings Tokenizer = new() { MaxLength = 16 };
    private static (string Release, string Certificate, string Draft)? _built;

    private (string Release, string Certificate, string Draft) Built()
    {
        lock (Building)
        {
            if (_built is { } done && Directory.Exists(done.Release)) return done;
            var root = f.P($"int8-{Guid.NewGuid():N}");
            Directory.CreateDirectory(root);
            using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
            using var pretrained = EncoderWeights.RandomInit(GateFixture.Config, seed: 2);
            var draft = Path.Combine(root, "draft.onnx");
            EncoderOnnxExporter.Save(model, draft, new OnnxExportOptions { Flavor = OnnxGraphFlavor.Int8, Tokenizer = Tokenizer });
            // With the recorded configuration (the graph holds LayerNorm epsilon only as float32).
            using var shipped = OnnxBertImporter.Import(draft, GateFixture.Config);
            var certificate = f.Certify(shipped, pretrained, GateFixture.Data(), Path.Combine(root, "cert"));
            var release = Path.Combine(root, "release");
            f.WriteRelease(model, certificate, release, OnnxGraphFlavor.Int8);
            _built = (release, certificate, draft);
            return _built.Value;
        }
    }

    private string Copy(string name) => ReleaseCopy.Copy(Built().Release, f.P($"copies/int8-{name}-{Guid.NewGuid():N}"));

    /// <summary>A copy of the int8 release with <paramref name="tamper"/> applied to model.onnx, re-hashed and re-signed
    /// with the release key (the strongest attacker), then gated.</summary>
    private GateResult Tampered(string name, Action<Onnx.ModelProto> tamper)
    {
        var release = Copy(name);
        var model = ReleaseTampering.ReadModel(release);
        tamper(model);
        ReleaseTampering.WriteModel(release, model);
        ReleaseTampering.RehashAndSign(release, f.PrivateKey);
        var result = ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);
        result.Passed.Should().BeFalse(Describe(result));
        return result;
    }

    private static string Describe(GateResult result) => string.Join("; ", result.Checks.Select(c => $"{c.Name}: {(c.Passed ? "ok" : "FAIL")} {c.Detail}"));

    [Fact]
    public void A_release_certified_on_the_weights_read_back_from_the_int8_file_passes_every_check()
    {
        var (release, certificate, draft) = Built();
        var result = ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);
        result.Passed.Should().BeTrue(Describe(result));
        result.Checks.Single(c => c.Name == "parity").Detail.Should().Contain("int8");
        result.Checks.Single(c => c.Name == "graph structure").Detail.Should().Contain("exactly the graph");

        var certified = CertificateSerializer.FromBytes(File.ReadAllBytes(certificate), certificate).Context.Model.WeightDigest;
        var model = ReleaseTampering.ReadModel(release);
        EncoderOnnxExporter.Find(model, OnnxMetadataKeys.WeightDigest).Should().Be(certified);
        using var fp32 = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        fp32.Digest().Should().NotBe(certified, "what is certified is the int8 model's weights, not the fp32 ones it came from");
        // The release's int8 tensors are the draft's, byte for byte (re-quantization is a fixed point).
        var draftModel = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(draft));
        model.Graph.Initializer.Where(t => t.DataType == (int)Onnx.TensorProto.Types.DataType.Int8).Select(t => t.RawData)
            .Should().Equal(draftModel.Graph.Initializer.Where(t => t.DataType == (int)Onnx.TensorProto.Types.DataType.Int8).Select(t => t.RawData));
    }

    [Fact]
    public void A_certificate_of_the_fp32_weights_does_not_cover_the_int8_release()
    {
        var release = f.P($"copies/int8-fp32-cert-{Guid.NewGuid():N}");
        using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        f.WriteRelease(model, f.CertificatePath, release, OnnxGraphFlavor.Int8);
        var result = ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);
        result.Passed.Should().BeFalse();
        result.Checks.Single(c => c.Name == "certified weights").Passed.Should().BeFalse(Describe(result));
    }

    [Fact]
    public void One_altered_int8_value_is_refused_even_re_signed()
    {
        var result = Tampered("value", model =>
        {
            var values = model.Graph.Initializer.First(t => t.DataType == (int)Onnx.TensorProto.Types.DataType.Int8);
            var bytes = values.RawData.ToByteArray();
            bytes[3] = (byte)(sbyte)((sbyte)bytes[3] == 0 ? 1 : 0);
            values.RawData = ByteString.CopyFrom(bytes);
        });
        result.Checks.Single(c => c.Name == "certified weights").Passed.Should().BeFalse(Describe(result));
    }

    [Fact]
    public void One_altered_scale_is_refused_even_re_signed()
    {
        var result = Tampered("scale", model =>
        {
            var scales = model.Graph.Initializer.First(t => t.Name.EndsWith("_scale", StringComparison.Ordinal));
            var bytes = scales.RawData.ToByteArray();
            BitConverter.GetBytes(BitConverter.ToSingle(bytes, 4) * 1.5f).CopyTo(bytes, 4);
            scales.RawData = ByteString.CopyFrom(bytes);
        });
        // Either the scale is not what quantizing the weights gives (structure) or the weights are not the certified ones.
        result.Checks.Where(c => c.Name is "graph structure" or "certified weights").Should().Contain(c => !c.Passed, Describe(result));
        result.Checks.Single(c => c.Name == "certified weights").Passed.Should().BeFalse(Describe(result));
    }

    [Fact]
    public void A_rewired_int8_product_is_refused_even_re_signed()
    {
        var result = Tampered("rewired", model =>
        {
            // The value projection reads the query's scales: same shapes, other arithmetic.
            var scaleMuls = model.Graph.Node.Where(n => n.OpType == "Mul" && n.Name.EndsWith("/Mul_scales", StringComparison.Ordinal)).Take(3).ToList();
            scaleMuls[2].Input[1] = scaleMuls[0].Input[1];
        });
        result.Checks.Single(c => c.Name == "graph structure").Passed.Should().BeFalse(Describe(result));
    }

    [Fact]
    public void Mlac_certify_runs_on_the_int8_release_folder_and_binds_its_weights_and_file()
    {
        var (release, _, _) = Built();
        var root = f.P($"int8-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        // The folder as a model source: the dequantized weights, the int8 file as the one whose digest is recorded.
        var (weights, vocabulary, _) = ModelSource.Load(release);
        string expectedDigest;
        using (weights) expectedDigest = weights.Digest();
        vocabulary.Should().Be(f.Vocabulary);
        ModelSource.WeightsFile(release).Should().Be(Path.Combine(release, ReleaseFileNames.Model));

        var pretrainedFolder = Path.Combine(root, "pretrained");
        Directory.CreateDirectory(pretrainedFolder);
        using (var pretrained = EncoderWeights.RandomInit(GateFixture.Config, seed: 2))
            EncoderOnnxExporter.Save(pretrained, Path.Combine(pretrainedFolder, "model.onnx"), new OnnxExportOptions { Tokenizer = Tokenizer });
        File.WriteAllText(Path.Combine(pretrainedFolder, "vocab.txt"), f.Vocabulary);
        var battery = Path.Combine(root, "battery.yaml");
        File.WriteAllText(battery, GateFixture.Battery);
        var data = Path.Combine(root, "data.jsonl");
        var random = new Random(5);
        File.WriteAllLines(data, Enumerable.Range(0, 400).Select(i =>
        {
            var harmful = random.Next(2);
            var desired = random.Next(2);
            var words = Enumerable.Range(0, 6).Select(_ => $"w{random.Next(7, 40)}").ToList();
            words[random.Next(6)] = $"w{5 + harmful}";
            return JsonSerializer.Serialize(new { id = $"e{i}", text = string.Join(' ', words), desired = desired == 0 ? "a" : "b", harmful = harmful == 0 ? "f" : "m" });
        }));
        var output = Path.Combine(root, "cert");
        var (code, text) = MlacProcess.Run("certify", "--model", release, "--pretrained", Path.Combine(pretrainedFolder, "model.onnx"), "--battery", battery,
            "--data", data, "--out", output, "--max-length", "16", "--workers", "1", "--no-progress");
        code.Should().Be(0, text);
        var certificate = CertificateSerializer.FromBytes(File.ReadAllBytes(Path.Combine(output, "certificate.json")), "certificate.json");
        certificate.Context.Model.WeightDigest.Should().Be(expectedDigest);
        certificate.Context.Model.FileDigest.Should().Be(Common.Integrity.FileDigest.Sha256(Path.Combine(release, ReleaseFileNames.Model)), "the certificate binds the int8 file's digest");
    }
}
