using MlacRelease.Common.Release;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// The Hugging Face layout puts the graph in a sub-folder (onnx/model.onnx). The gate passes that layout, and the
/// sub-folder gets no slack: a changed or swapped model there, an unlisted file beside it (transformers.js would load
/// onnx/model_quantized.onnx for dtype q8), a linked or nested folder, all fail.
/// </summary>
[Collection(GateCollection.Name)]
public sealed class OnnxFolderGateTests(GateFixture f)
{
    private GateResult Gate(string release) => ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);

    [Fact]
    public void The_gate_passes_the_Hugging_Face_layout_and_fails_a_tampered_model_in_onnx()
    {
        File.Exists(Path.Combine(f.Release, "onnx", "model.onnx")).Should().BeTrue();
        File.Exists(Path.Combine(f.Release, "model.onnx")).Should().BeFalse("the model lives where Hugging Face's ONNX loaders look");
        Gate(f.Release).Passed.Should().BeTrue();

        var release = f.CopyOfRelease("onnx-flip");
        var model = Path.Combine(release, ReleaseFileNames.Model);
        var bytes = File.ReadAllBytes(model);
        bytes[bytes.Length - 3] ^= 0x10;
        File.WriteAllBytes(model, bytes);
        GateAttackTests.ShouldFailAt(Gate(release), "manifest digests", "onnx/model.onnx does not match its SHA-256");

        var (code, output) = MlacProcess.Run("gate", "--release", release, "--policy", f.Policy, "--public-key", f.PublicKey, "--no-progress");
        code.Should().Be(1, output);
        output.Should().Contain("gate: FAIL").And.Contain("onnx/model.onnx");
    }

    [Fact]
    public void A_release_with_external_data_passes_and_its_data_file_is_bound()
    {
        // The exporter's own layout for large models: onnx/model.onnx (canonical, tensors referenced) + onnx/model.onnx.data.
        using var model = Core.Model.EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var release = f.P($"copies/external-data-{Guid.NewGuid():N}");
        f.WriteRelease(model, f.CertificatePath, release, externalDataThresholdBytes: 0);
        File.Exists(Path.Combine(release, ReleaseFileNames.ModelExternalData)).Should().BeTrue();
        var result = Gate(release);
        result.Passed.Should().BeTrue(string.Join("; ", result.Failures.Select(c => $"{c.Name}: {c.Detail}")));

        // Other tensor bytes in the data file, re-hashed and re-signed: the weights are no longer the certified ones.
        var tampered = ReleaseCopy.Copy(release, f.P($"copies/external-data-tampered-{Guid.NewGuid():N}"));
        var data = Path.Combine(tampered, ReleaseFileNames.ModelExternalData);
        var bytes = File.ReadAllBytes(data);
        bytes[8] ^= 0x40;
        File.WriteAllBytes(data, bytes);
        ReleaseTampering.RehashAndSign(tampered, f.PrivateKey);
        var refused = Gate(tampered);
        refused.Passed.Should().BeFalse();
        refused.Checks.Where(c => c.Name is "graph structure" or "certified weights").Should().Contain(c => !c.Passed, string.Join("; ", refused.Failures.Select(c => $"{c.Name}: {c.Detail}")));
    }

    [Fact]
    public void A_listed_data_file_that_no_initializer_reads_fails_even_when_re_signed()
    {
        // The model keeps every tensor inline; the data file rides along, signed, as part of a "gated" release.
        var release = GateAttackTests.Tampered(f, "onnx-unread-data", folder =>
            File.WriteAllBytes(Path.Combine(folder, ReleaseFileNames.ModelExternalData), [1, 2, 3, 4, 5, 6, 7, 8]));
        GateAttackTests.ShouldFailAt(Gate(release), "graph structure", "no initializer reads from it");
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)0x5a)]
    public void Bytes_appended_to_the_data_file_fail_even_when_re_signed(byte appended)
    {
        using var model = Core.Model.EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var release = f.P($"copies/external-data-appended-{Guid.NewGuid():N}");
        f.WriteRelease(model, f.CertificatePath, release, externalDataThresholdBytes: 0);
        using (var stream = new FileStream(Path.Combine(release, ReleaseFileNames.ModelExternalData), FileMode.Append))
            stream.Write(Enumerable.Repeat(appended, 64).ToArray());
        ReleaseTampering.RehashAndSign(release, f.PrivateKey);
        GateAttackTests.ShouldFailAt(Gate(release), "graph structure", "the rest is read by nothing");
    }

    [Fact]
    public void Non_zero_bytes_in_the_alignment_padding_fail_even_when_re_signed()
    {
        using var model = Core.Model.EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var release = f.P($"copies/external-data-padding-{Guid.NewGuid():N}");
        f.WriteRelease(model, f.CertificatePath, release, externalDataThresholdBytes: 0);
        // The first gap between two tensors' ranges is padding the exporter wrote as zeros.
        var proto = ReleaseTampering.ReadModel(release);
        var ranges = proto.Graph.Initializer.Where(t => t.DataLocation == Onnx.TensorProto.Types.DataLocation.External)
            .Select(t => (Offset: long.Parse(t.ExternalData.Single(e => e.Key == "offset").Value, System.Globalization.CultureInfo.InvariantCulture),
                Length: long.Parse(t.ExternalData.Single(e => e.Key == "length").Value, System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(r => r.Offset).ToList();
        var gap = ranges.Zip(ranges.Skip(1)).Select(p => p.First.Offset + p.First.Length).First(end => ranges.All(r => r.Offset != end));
        var path = Path.Combine(release, ReleaseFileNames.ModelExternalData);
        var bytes = File.ReadAllBytes(path);
        bytes[gap].Should().Be(0);
        bytes[gap] = 0x7f;
        File.WriteAllBytes(path, bytes);
        ReleaseTampering.RehashAndSign(release, f.PrivateKey);
        GateAttackTests.ShouldFailAt(Gate(release), "graph structure", "non-zero bytes");
    }

    [Fact]
    public async Task A_fifo_in_place_of_a_listed_file_fails_instead_of_hanging()
    {
        // Opening a FIFO for reading blocks until a writer comes; lstat gives it length 0, which passed the size bound.
        var release = f.CopyOfRelease("fifo");
        var victim = Path.Combine(release, ReleaseFileNames.Certificate);
        File.Delete(victim);
        Fifo.Make(victim).Should().Be(0, "mkfifo must succeed for this test to mean anything");
        var gate = Task.Run(() => Gate(release));
        var first = await Task.WhenAny(gate, Task.Delay(TimeSpan.FromSeconds(60)));
        first.Should().BeSameAs(gate, "the gate must refuse, not block on open()");
        GateAttackTests.ShouldFailAt(await gate, "manifest digests", "not a regular file");
    }

    [Fact]
    public void A_model_swapped_into_onnx_fails_even_when_re_signed()
    {
        // The other release's model has the same weights but names another certificate: re-hashed and re-signed by
        // a key holder, the digests pass and the certificate binding does not.
        var release = GateAttackTests.Tampered(f, "onnx-swap", folder =>
            File.Copy(Path.Combine(f.ReleaseWithOtherCertificate, ReleaseFileNames.Model), Path.Combine(folder, ReleaseFileNames.Model), overwrite: true));
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", "but the release's certificate.json is");
    }

    [Fact]
    public void An_unlisted_file_beside_the_model_fails()
    {
        var release = f.CopyOfRelease("onnx-unlisted");
        File.Copy(Path.Combine(release, ReleaseFileNames.Model), Path.Combine(release, "onnx", "model_quantized.onnx"));
        GateAttackTests.ShouldFailAt(Gate(release), "manifest digests", "onnx/model_quantized.onnx is in the folder but not listed");
    }

    [Fact]
    public void A_linked_nested_or_unlisted_folder_fails()
    {
        var linked = f.CopyOfRelease("onnx-link");
        var elsewhere = f.P("copies/onnx-elsewhere");
        Directory.Move(Path.Combine(linked, "onnx"), elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(linked, "onnx"), elsewhere);
        GateAttackTests.ShouldFailAt(Gate(linked), "manifest digests", "onnx is a symbolic link");

        var nested = f.CopyOfRelease("onnx-nested");
        Directory.CreateDirectory(Path.Combine(nested, "onnx", "deeper"));
        GateAttackTests.ShouldFailAt(Gate(nested), "manifest digests", "onnx/deeper is a folder");

        var extra = f.CopyOfRelease("extra-folder");
        Directory.CreateDirectory(Path.Combine(extra, "extra"));
        GateAttackTests.ShouldFailAt(Gate(extra), "manifest digests", "extra is in the folder but not listed");
    }
}
