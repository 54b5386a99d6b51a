using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Validation;
using MlacRelease.Inference;
using MlacRelease.Common.Errors;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// The attacks that once passed the gate, one test each: every bad release is built with the project's own code and
/// re-signed with the release key (the strongest attacker), and must fail with the named check.
/// </summary>
[Collection(GateCollection.Name)]
public sealed class GateAttackTests(GateFixture f)
{
    private GateResult Gate(string release) => ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);

    internal static void ShouldFailAt(GateResult result, string check, string detail)
    {
        result.Passed.Should().BeFalse();
        var failed = result.Checks.First(c => !c.Passed);
        failed.Name.Should().Be(check, string.Join("; ", result.Checks.Select(c => $"{c.Name}: {(c.Passed ? "pass" : c.Detail)}")));
        failed.Detail.Should().Contain(detail);
    }

    public static string Tampered(GateFixture f, string name, Action<string> tamper)
    {
        var release = f.CopyOfRelease(name);
        tamper(release);
        ReleaseTampering.RehashAndSign(release, f.PrivateKey);
        return release;
    }

    public string OutputsNegatedExceptAtParityLengths() => Tampered(f, "where-length", release =>
    {
        var model = ReleaseTampering.ReadModel(release);
        ReleaseTampering.NegateOutputsExceptAtLengths(model, 5, 17, 40);
        ReleaseTampering.WriteModel(release, model);
    });

    [Fact]
    public void A_graph_that_keeps_the_certified_weights_but_computes_something_else_fails_the_structure_check()
    {
        var release = OutputsNegatedExceptAtParityLengths();
        ShouldFailAt(Gate(release), "graph structure", "nodes; the encoder of these weights has");
    }

    [Fact]
    public void A_second_encoder_or_any_extra_initializer_fails_the_structure_check()
    {
        var release = Tampered(f, "extra-initializer", folder =>
        {
            var model = ReleaseTampering.ReadModel(folder);
            var copy = model.Graph.Initializer.First(i => i.Name == BertParameterNames.WordEmbeddings).Clone();
            copy.Name = "shadow.embeddings.word_embeddings.weight";
            model.Graph.Initializer.Add(copy);
            ReleaseTampering.WriteModel(folder, model);
        });
        ShouldFailAt(Gate(release), "graph structure", "initializers; the encoder of these weights has");
    }

    [Fact]
    public void A_layer_norm_epsilon_changed_in_the_graph_fails_the_structure_check()
    {
        var release = Tampered(f, "epsilon", folder =>
        {
            var model = ReleaseTampering.ReadModel(folder);
            var layerNorm = model.Graph.Node.First(n => n.OpType == "LayerNormalization");
            layerNorm.Attribute.Single(a => a.Name == "epsilon").F = 0.5f;
            ReleaseTampering.WriteModel(folder, model);
        });
        ShouldFailAt(Gate(release), "graph structure", "LayerNormalization");
    }

    [Fact]
    public void Metadata_the_exporter_does_not_write_fails_the_structure_check()
    {
        // ONNX Runtime reads session options from an 'ort_config' entry (with ORT_LOAD_CONFIG_FROM_MODEL=1), and the
        // exporter writes no entry outside its own: none may ride along.
        var release = Tampered(f, "ort-config", folder =>
        {
            var model = ReleaseTampering.ReadModel(folder);
            model.MetadataProps.Add(new Onnx.StringStringEntryProto { Key = "ort_config", Value = "{\"session_options\": {\"graph_optimization_level\": 0}}" });
            ReleaseTampering.WriteModel(folder, model);
        });
        ShouldFailAt(Gate(release), "graph structure", "metadata 'ort_config'");
    }

    [Fact]
    public void A_consistent_export_with_another_configuration_fails_the_certified_weights_check()
    {
        // Same tensors (same weight digest), exported as an encoder with another epsilon: the graph is exactly what
        // the exporter writes for that configuration, so only the certificate's recorded configuration can catch it.
        using var certified = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        using var copy = certified.Clone();
        using var other = new EncoderWeights(GateFixture.Config with { LayerNormEps = 1e-3 }, copy.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone()));
        other.Digest().Should().Be(certified.Digest());
        var release = f.P("copies/other-config");
        f.WriteRelease(other, f.CertificatePath, release);
        ShouldFailAt(Gate(release), "certified weights", "layer_norm_eps: certified 1E-12, found 0.001");
    }

    [Fact]
    public void An_unlisted_file_in_the_folder_fails_the_manifest_check()
    {
        var release = f.CopyOfRelease("unlisted");
        var model = ReleaseTampering.ReadModel(release);
        ReleaseTampering.MoveInitializerToExternalFile(release, model, BertParameterNames.WordEmbeddings, "side.bin");
        ReleaseTampering.WriteModel(release, model);
        // The attacker re-hashes model.onnx but leaves side.bin out of the manifest, so it could be swapped later.
        ReleaseTampering.RehashAndSign(release, f.PrivateKey);
        var manifestPath = Path.Combine(release, ReleaseFileNames.Manifest);
        var manifest = ReleaseManifest.Parse(File.ReadAllText(manifestPath));
        File.WriteAllText(manifestPath, (manifest with { Files = manifest.Files.Where(e => e.Path != "onnx/side.bin").ToList() }).ToJson());
        ReleaseSigning.Sign(release, f.PrivateKey);
        ShouldFailAt(Gate(release), "manifest digests", "onnx/side.bin is in the folder but not listed");
        ((Action)(() => EncoderSession.Open(release, f.PublicKey))).Should().Throw<ReleaseIntegrityException>().Where(e => e.FileName == "onnx/side.bin");
    }

    [Fact]
    public void External_data_from_a_listed_file_other_than_model_onnx_data_fails()
    {
        var release = Tampered(f, "listed-side-bin", folder =>
        {
            var model = ReleaseTampering.ReadModel(folder);
            ReleaseTampering.MoveInitializerToExternalFile(folder, model, BertParameterNames.WordEmbeddings, "side.bin");
            ReleaseTampering.WriteModel(folder, model);
        });
        // The gate refuses the listed side.bin before reading the graph (a release lists only files the exporter
        // writes); inference, which serves any signed folder, refuses it when inlining the external data.
        ShouldFailAt(Gate(release), "manifest digests", "onnx/side.bin listed in manifest.json but not a file the exporter writes");
        ((Action)(() => EncoderSession.Open(release, f.PublicKey))).Should().Throw<MlacInputException>().WithMessage("*side.bin*only 'model.onnx.data'*");
    }

    [Fact]
    public void A_release_whose_manifest_leaves_out_the_certificate_fails()
    {
        var unlisted = Tampered(f, "certificate-unlisted", _ => { });
        var manifestPath = Path.Combine(unlisted, ReleaseFileNames.Manifest);
        var manifest = ReleaseManifest.Parse(File.ReadAllText(manifestPath));
        File.WriteAllText(manifestPath, (manifest with { Files = manifest.Files.Where(e => e.Path != ReleaseFileNames.Certificate).ToList() }).ToJson());
        ReleaseSigning.Sign(unlisted, f.PrivateKey);
        ShouldFailAt(Gate(unlisted), "manifest digests", "certificate.json is not listed");

        var removed = Tampered(f, "certificate-removed", folder => File.Delete(Path.Combine(folder, ReleaseFileNames.Certificate)));
        ShouldFailAt(Gate(removed), "manifest digests", "certificate.json is not listed");
    }

    [Fact]
    public void A_valid_certificate_other_than_the_one_the_model_names_fails()
    {
        var release = Tampered(f, "certificate-swapped", folder =>
            File.Copy(f.SameWeightsCertificatePath, Path.Combine(folder, ReleaseFileNames.Certificate), overwrite: true));
        ShouldFailAt(Gate(release), "certified weights", "but the release's certificate.json is");
    }

    [Fact]
    public void Inference_refuses_a_rehashed_manifest_without_a_valid_signature_unless_unsigned_is_opted_in()
    {
        var release = f.CopyOfRelease("rehashed-unsigned");
        var model = ReleaseTampering.ReadModel(release);
        var classifier = model.Graph.Initializer.Single(i => i.Name == ClassificationHead.WeightName);
        var bytes = classifier.RawData.ToByteArray();
        bytes[0] ^= 0x40;
        classifier.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        ReleaseTampering.WriteModel(release, model);
        ReleaseTampering.Rehash(release);

        ((Action)(() => EncoderSession.Open(release, f.PublicKey))).Should().Throw<ReleaseIntegrityException>()
            .Where(e => e.IsSignatureFailure && e.Message.Contains("manifest_sha256"));
        File.Delete(Path.Combine(release, ReleaseFileNames.ManifestSignature));
        ((Action)(() => EncoderSession.Open(release, f.PublicKey))).Should().Throw<ReleaseIntegrityException>()
            .Where(e => e.IsSignatureFailure && e.Message.Contains("not signed"));
        using var unsigned = EncoderSession.Open(release, ReleaseTrust.Unsigned);
        unsigned.Classify("w7 w8").Probabilities.Should().HaveCount(2, "an explicit opt-in serves it");
    }

    [Fact]
    public void The_gate_uses_only_what_it_read_once()
    {
        // Check-then-use: the gate's checks run on the snapshot. Deleting the whole folder after the read changes
        // nothing, so no check can have read a file again (a swapped manifest or vocabulary is never seen).
        var release = f.CopyOfRelease("read-once");
        var snapshot = ReleaseSnapshot.Open(release, ReleaseTrust.SignedBy(f.PublicKey), ReleaseFileNames.RequiredByGate);
        Directory.Delete(release, recursive: true);
        var result = ReleaseGate.Evaluate(snapshot, f.Policy);
        result.Failures.Should().BeEmpty(string.Join("; ", result.Failures.Select(c => $"{c.Name}: {c.Detail}")));
        result.Checks.Should().HaveCount(ReleaseGate.CheckNames.Count);
    }

    [Fact]
    public void An_unsigned_snapshot_never_passes_the_gate()
    {
        var snapshot = ReleaseSnapshot.Open(f.Release, ReleaseTrust.Unsigned, ReleaseFileNames.RequiredByGate);
        ShouldFailAt(ReleaseGate.Evaluate(snapshot, f.Policy), "signature", "without a public key");
    }

    [Fact]
    public void NaN_outputs_fail_parity_and_are_never_served()
    {
        var release = Tampered(f, "nan-logits", folder =>
        {
            var model = ReleaseTampering.ReadModel(folder);
            ReleaseTampering.MultiplyOutputByNaN(model, "logits");
            ReleaseTampering.WriteModel(folder, model);
        });
        ShouldFailAt(Gate(release), "graph structure", "nodes; the encoder of these weights has");

        // Parity on its own (the structural check aside) compares NaN as infinitely far, not as "skipped".
        using var weights = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var head = ReleaseTampering.ReadModel(release).Graph.Initializer;
        using var w = Core.Weights.OnnxBertImporter.ToTensor(head.Single(i => i.Name == ClassificationHead.WeightName), "test");
        using var b = Core.Weights.OnnxBertImporter.ToTensor(head.Single(i => i.Name == ClassificationHead.BiasName), "test");
        var report = OnnxParityValidator.Compare(weights, Path.Combine(release, ReleaseFileNames.Model), new ClassificationHead(w, b),
            new ParityOptions { BatchSizes = [2], SequenceLengths = [6] });
        report.Passed.Should().BeFalse();
        report.MaxAbsDiff.Should().Be(double.PositiveInfinity);

        using var session = EncoderSession.Open(release, f.PublicKey);
        ((Action)(() => session.Classify("w7 w9"))).Should().Throw<MlacInputException>().WithMessage("*non-finite*logits*");
    }

    [Fact]
    public void A_symbolic_link_in_the_release_fails_the_manifest_check()
    {
        var release = f.CopyOfRelease("symlink");
        var tokenizer = Path.Combine(release, ReleaseFileNames.Tokenizer);
        var elsewhere = f.P("copies/tokenizer-elsewhere.json");
        File.Move(tokenizer, elsewhere, overwrite: true);
        File.CreateSymbolicLink(tokenizer, elsewhere);
        ShouldFailAt(Gate(release), "manifest digests", "symbolic link");
    }
}
