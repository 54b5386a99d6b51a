using MlacRelease.Certification.Certificates;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// Releases of the certified encoder written by the project's own exporter and signed with the release key, which
/// compute something other than what was certified through what the weight digest does not cover: where the tokenizer
/// cuts texts, and the classifier head the graph applies. Each passed the gate before the certificate's max_length and
/// head were compared with the shipped ones.
/// </summary>
[Collection(GateCollection.Name)]
public sealed class CertifiedReleaseBindingGateTests(GateFixture f)
{
    private GateResult Gate(string release) => ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);

    private string NewFolder(string name) => f.P($"copies/{name}-{Guid.NewGuid():N}");

    [Theory]
    // Longer: the model reads words the attacks never showed it together; shorter: it drops the ones they did.
    [InlineData(32)]
    [InlineData(8)]
    public void A_release_that_truncates_elsewhere_than_the_certified_max_length_fails(int maxLength)
    {
        using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var release = NewFolder($"max-length-{maxLength}");
        f.WriteRelease(model, f.CertificatePath, release, tokenizer: new TokenizerSettings { MaxLength = maxLength });
        CertificateSerializer.Read(f.CertificatePath).Context.Data.MaxLength.Should().Be(16);
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", $"truncates at max_length {maxLength}; the certificate's attacks were run at max_length 16");
    }

    [Fact]
    public void The_certified_encoder_under_a_head_for_the_harmful_task_fails()
    {
        // Another head, named for the harmful task's classes: config.json, the model's labels and the graph all agree.
        using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        using var harmful = new OwnedClassificationHead(new ClassificationHead(
            TorchSharp.torch.randn(2, GateFixture.Config.HiddenSize, generator: new TorchSharp.torch.Generator(11)), TorchSharp.torch.zeros(2), ["f", "m"]));
        var release = NewFolder("harmful-head");
        f.WriteRelease(model, f.CertificatePath, release, harmful.Head);
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", "classifier head is sha256:");
    }

    [Fact]
    public void The_certified_head_with_its_class_names_swapped_fails()
    {
        // The same tensors: a consumer reading config.json calls every "a" a "b".
        using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        using var desired = GateFixture.DesiredHead();
        var swapped = new ClassificationHead(desired.Head.Weight, desired.Head.Bias, ["b", "a"]);
        var release = NewFolder("head-labels-swapped");
        f.WriteRelease(model, f.CertificatePath, release, swapped);
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", $"the certificate is for a release with head {GateFixture.DesiredHeadDigest()}");
    }

    [Fact]
    public void A_release_without_the_certified_head_fails()
    {
        using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var release = NewFolder("no-head");
        f.WriteRelease(model, f.CertificatePath, release, head: null);
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", $"classifier head is {HeadDigest.None}");
    }

    [Fact]
    public void A_certificate_that_records_no_head_fails_closed()
    {
        // As written before certificates recorded the head: valid and sealed, but silent about what the release may apply.
        var original = CertificateSerializer.Read(f.CertificatePath);
        var context = original.Context with { Model = original.Context.Model with { HeadDigest = null } };
        // Provenance names the identity the reference arms were computed for; old certificates may have none.
        var old = CertificateSerializer.Seal(original with { Context = context, Identity = context.Identity(), Provenance = null });
        var path = Path.Combine(NewFolder("cert-without-head"), "certificate.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        CertificateSerializer.Write(old, path);
        var verification = CertificateVerifier.Verify(path);
        verification.Valid.Should().BeTrue("the certificate is intact, only the head is unbound: " + string.Join("; ", verification.Failures.Select(c => $"{c.Name}: {c.Detail}")));
        File.ReadAllText(path).Should().NotContain("head_digest");

        using var model = EncoderWeights.RandomInit(GateFixture.Config, seed: 1);
        var release = NewFolder("release-cert-without-head");
        f.WriteRelease(model, path, release);
        GateAttackTests.ShouldFailAt(Gate(release), "certified weights", "the certificate does not record the classifier head");
    }

    [Fact]
    public void The_fixture_release_passes_with_its_head_and_max_length_bound()
    {
        var result = Gate(f.Release);
        result.Passed.Should().BeTrue(string.Join("; ", result.Checks.Select(c => $"{c.Name}: {(c.Passed ? "pass" : c.Detail)}")));
        result.Checks.Single(c => c.Name == "certified weights").Detail.Should().Contain("max_length 16").And.Contain(GateFixture.DesiredHeadDigest());
    }
}
