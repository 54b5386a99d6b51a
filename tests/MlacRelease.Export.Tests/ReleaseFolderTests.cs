using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;
using MlacRelease.Inference;
using Onnx;

namespace MlacRelease.Export.Tests;

/// <summary>The release folder writer's output, and the loader refusing a folder that was changed or is incomplete.</summary>
[Collection(ExportCollection.Name)]
public sealed class ReleaseFolderTests(ExportFixture fixture)
{
    [Fact]
    public void The_manifest_pins_every_file_by_digest_and_size()
    {
        var release = fixture.Release;
        var files = ReleaseCopy.Files(release.Folder);
        files.Should().BeEquivalentTo([ReleaseFileNames.Model, ReleaseFileNames.Config, ReleaseFileNames.Tokenizer, ReleaseFileNames.TokenizerConfig,
            ReleaseFileNames.SpecialTokensMap, ReleaseFileNames.Certificate, ReleaseFileNames.ModelCard, ReleaseFileNames.Manifest,
            ReleaseFileNames.ManifestSignature, ModelSigningBundle.DefaultFileName]);
        files.Should().Contain("onnx/model.onnx", "Hugging Face's ONNX loaders look for the graph there");
        var manifest = ReleaseManifest.Parse(File.ReadAllText(Path.Combine(release.Folder, ReleaseFileNames.Manifest)));
        manifest.Files.Select(f => f.Path).Should().BeEquivalentTo(files.Where(f => f is not (ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature or ModelSigningBundle.DefaultFileName)));
        foreach (var entry in manifest.Files)
        {
            var path = Path.Combine(release.Folder, entry.Path);
            entry.Sha256.Should().Be(FileDigest.Sha256(path), entry.Path);
            entry.Size.Should().Be(new FileInfo(path).Length, entry.Path);
        }
        manifest.SchemaVersion.Should().Be(ReleaseManifest.CurrentSchemaVersion);
        manifest.ToolVersion.Should().Be(EncoderOnnxExporter.ToolVersion);
    }

    [Fact]
    public void The_model_metadata_carries_the_weight_and_certificate_digests_and_the_tokenizer_settings()
    {
        var release = fixture.Release;
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(release.Export.ModelPath));
        EncoderOnnxExporter.Find(model, OnnxMetadataKeys.WeightDigest).Should().Be(fixture.TwoLayers.Digest());
        EncoderOnnxExporter.Find(model, OnnxMetadataKeys.CertificateDigest).Should().Be(FileDigest.Sha256(Path.Combine(release.Folder, ReleaseFileNames.Certificate)));
        TokenizerSettingsJson.Parse(EncoderOnnxExporter.Find(model, OnnxMetadataKeys.Tokenizer)!, "metadata").Should().Be(new Common.Text.TokenizerSettings());
        EncoderOnnxExporter.Find(model, OnnxMetadataKeys.Labels).Should().Be("""["nurse","surgeon","teacher"]""");
        var tokenizer = HuggingFaceTokenizerJson.Parse(File.ReadAllBytes(Path.Combine(release.Folder, ReleaseFileNames.Tokenizer)), "tokenizer.json");
        tokenizer.Vocabulary.IdOf("[CLS]").Should().Be(101);
        tokenizer.Vocabulary.Tokens.Should().Equal(WordPieceVocabulary.FromText(fixture.Vocabulary, "vocab.txt").Tokens);
        tokenizer.Vocabulary.Count.Should().Be(30522);
        tokenizer.Settings.Should().Be(new Common.Text.TokenizerSettings());
    }

    [Fact]
    public void The_model_card_has_Hugging_Face_front_matter_and_the_certificate_results()
    {
        var card = File.ReadAllText(Path.Combine(fixture.Release.Folder, ReleaseFileNames.ModelCard));
        card.Should().StartWith("---\nlicense: mit\nlibrary_name: onnx\npipeline_tag: text-classification\ntags:\n- onnx\n");
        var frontMatter = card[..card.IndexOf("\n---\n", 4, StringComparison.Ordinal)];
        frontMatter.Should().Contain("model-index:\n- name: \"MiniLM (2 layers) with a test head\"\n  results:\n  - task:\n      type: text-classification\n");
        frontMatter.Should().Contain("      - type: blocking_score\n        name: \"Blocking score (1 = as hard as training from scratch), n = all\"\n        value: 1.055\n");
        frontMatter.Should().Contain("      - type: accuracy\n        name: \"Attacker's best harmful-task accuracy on this model, n = 20\"\n        value: 0.534375\n");
        frontMatter.Should().Contain("name: \"certification test split of sha256:d474\"");
        frontMatter.Split("type: blocking_score").Should().HaveCount(2, "n = 20 has no blocking score (null in the certificate), so only n = all lists one");
        card.Should().Contain("**verdict**").And.Contain("\"passed\": true").And.Contain("**worst_case**").And.Contain("\"blocking_score\": 0.93");
        card.Should().Contain(fixture.TwoLayers.Digest());
        card.Should().NotContain("curves", "only the top-level verdict and worst_case are shown");
    }

    [Theory]
    [InlineData(ReleaseFileNames.Model)]
    [InlineData(ReleaseFileNames.Config)]
    [InlineData(ReleaseFileNames.Tokenizer)]
    [InlineData(ReleaseFileNames.TokenizerConfig)]
    [InlineData(ReleaseFileNames.SpecialTokensMap)]
    [InlineData(ReleaseFileNames.ModelCard)]
    [InlineData(ReleaseFileNames.Certificate)]
    public void A_flipped_byte_is_refused_naming_the_file(string file)
    {
        var folder = fixture.CopyOfRelease();
        var path = Path.Combine(folder, file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var open = () => ReleaseFolder.Open(folder, fixture.PublicKey);
        open.Should().Throw<ReleaseIntegrityException>()
            .Where(e => e.FileName == file && e.Message.Contains(file) && e.Message.Contains("SHA-256"));
        var session = () => EncoderSession.Open(folder, fixture.PublicKey);
        session.Should().Throw<ReleaseIntegrityException>().Where(e => e.FileName == file);
    }

    [Fact]
    public void A_file_changed_after_opening_changes_nothing_served()
    {
        // Check-then-use: the folder is read once, so what is served is what was verified, whatever the disk says later.
        var folder = fixture.CopyOfRelease();
        var release = ReleaseFolder.Open(folder, fixture.PublicKey);
        string[] texts = ["A nurse in Montréal.", "A poet in Lagos."];
        float[][] before;
        using (var session = EncoderSession.Open(release)) before = session.Embed(texts);
        foreach (var name in new[] { ReleaseFileNames.Model, ReleaseFileNames.Tokenizer })
        {
            var path = Path.Combine(folder, name);
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x80;
            File.WriteAllBytes(path, bytes);
        }
        using (var session = EncoderSession.Open(release))
        {
            var after = session.Embed(texts);
            for (var i = 0; i < texts.Length; i++) after[i].Should().Equal(before[i]);
        }
        ((Action)(() => ReleaseFolder.Open(folder, fixture.PublicKey))).Should().Throw<ReleaseIntegrityException>();
    }

    [Theory]
    [InlineData(ReleaseFileNames.Model)]
    [InlineData(ReleaseFileNames.Config)]
    [InlineData(ReleaseFileNames.Tokenizer)]
    [InlineData(ReleaseFileNames.TokenizerConfig)]
    [InlineData(ReleaseFileNames.Manifest)]
    public void A_missing_file_is_refused_naming_it(string file)
    {
        var folder = fixture.CopyOfRelease();
        File.Delete(Path.Combine(folder, file));
        var open = () => ReleaseFolder.Open(folder, fixture.PublicKey);
        open.Should().Throw<ReleaseIntegrityException>().Where(e => e.FileName == file && e.Message.Contains(file) && e.Message.Contains("missing"));
    }

    [Fact]
    public void A_manifest_that_does_not_list_the_model_is_refused()
    {
        var folder = fixture.CopyOfRelease();
        var manifestPath = Path.Combine(folder, ReleaseFileNames.Manifest);
        var manifest = ReleaseManifest.Parse(File.ReadAllText(manifestPath));
        File.WriteAllText(manifestPath, (manifest with { Files = manifest.Files.Where(f => f.Path != ReleaseFileNames.Model).ToList() }).ToJson());
        fixture.Sign(folder);
        var open = () => ReleaseFolder.Open(folder, fixture.PublicKey);
        open.Should().Throw<ReleaseIntegrityException>().Where(e => e.FileName == ReleaseFileNames.Model && e.Message.Contains("not listed"));
    }

    [Fact]
    public void A_manifest_path_outside_the_folder_is_refused()
    {
        var folder = fixture.CopyOfRelease();
        var manifestPath = Path.Combine(folder, ReleaseFileNames.Manifest);
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"config.json\"", "\"../config.json\""));
        // Signed as it is (mlac sign refuses to sign such a manifest): the loader must still refuse to follow the path.
        ManifestSignature.Sign(manifestPath, fixture.PrivateKey);
        var open = () => ReleaseFolder.Open(folder, fixture.PublicKey);
        open.Should().Throw<ReleaseIntegrityException>().WithMessage("*../config.json*not a plain file name*");
    }

    [Fact]
    public void Serving_an_unsigned_folder_takes_an_explicit_opt_in_and_still_checks_the_digests()
    {
        var folder = fixture.CopyOfRelease();
        File.Delete(Path.Combine(folder, ReleaseFileNames.ManifestSignature));
        ((Action)(() => ReleaseFolder.Open(folder, fixture.PublicKey))).Should().Throw<ReleaseIntegrityException>()
            .Where(e => e.IsSignatureFailure && e.FileName == ReleaseFileNames.ManifestSignature && e.Message.Contains("not signed"));
        var unsigned = ReleaseFolder.Open(folder, ReleaseTrust.Unsigned);
        unsigned.Signed.Should().BeFalse();
        using (var session = EncoderSession.Open(unsigned)) session.Embed("still runs").Should().HaveCount(384);

        File.AppendAllText(Path.Combine(folder, ReleaseFileNames.Tokenizer), "\n");
        ((Action)(() => ReleaseFolder.Open(folder, ReleaseTrust.Unsigned))).Should().Throw<ReleaseIntegrityException>()
            .Where(e => e.FileName == ReleaseFileNames.Tokenizer);
    }

    [Fact]
    public void The_writer_refuses_a_folder_that_is_not_empty()
    {
        var write = () => Release.ReleaseWriter.Write(fixture.Release.Folder, fixture.TwoLayers, new Release.ReleaseOptions { Vocabulary = fixture.Vocabulary });
        write.Should().Throw<IOException>().WithMessage("*must be new or empty*");
    }

    [Fact]
    public void The_writer_pins_the_certificate_it_copies_and_refuses_a_digest_set_by_hand()
    {
        var folder = Path.Combine(fixture.Folder, $"release-pinned-{Guid.NewGuid():N}");
        var write = () => Release.ReleaseWriter.Write(folder, fixture.TwoLayers, new Release.ReleaseOptions
        {
            Vocabulary = fixture.Vocabulary,
            Onnx = new Onnx.OnnxExportOptions { CertificateDigest = "sha256:" + new string('0', 64) },
        });
        write.Should().Throw<ArgumentException>().WithMessage("*CertificateDigest*");
        Directory.Exists(folder).Should().BeFalse("nothing is written before the options are checked");
    }
}
