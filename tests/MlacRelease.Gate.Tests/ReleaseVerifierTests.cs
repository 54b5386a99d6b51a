using MlacRelease.Common.Release;

namespace MlacRelease.Gate.Tests;

/// <summary>ReleaseVerifier (what <c>mlac verify</c> runs): the gate's signature and manifest checks alone.</summary>
[Collection(GateCollection.Name)]
public sealed class ReleaseVerifierTests(GateFixture f)
{
    [Fact]
    public void A_signed_release_passes_both_checks_and_nothing_more_is_checked()
    {
        var result = ReleaseVerifier.Verify(f.Release, f.PublicKey);
        result.Passed.Should().BeTrue(string.Join("; ", result.Checks.Select(c => c.Detail)));
        result.Checks.Select(c => c.Name).Should().Equal("signature", "manifest digests");
        result.Checks[1].Detail.Should().Contain("files match manifest.json");
    }

    [Fact]
    public void Another_key_fails_the_signature_check()
    {
        var result = ReleaseVerifier.Verify(f.Release, f.WrongPublicKey);
        result.Passed.Should().BeFalse();
        result.Checks.Should().ContainSingle().Which.Name.Should().Be("signature");
    }

    [Fact]
    public void A_file_changed_after_signing_fails_the_manifest_check_naming_it()
    {
        var release = f.CopyOfRelease($"verify-changed-{Guid.NewGuid():N}");
        File.AppendAllText(Path.Combine(release, ReleaseFileNames.Config), " ");
        var result = ReleaseVerifier.Verify(release, f.PublicKey);
        var check = result.Checks.Should().ContainSingle().Subject;
        check.Name.Should().Be("manifest digests");
        check.Passed.Should().BeFalse();
        check.Detail.Should().Contain(ReleaseFileNames.Config);
    }

    [Fact]
    public void A_release_that_passes_verify_can_still_fail_the_gate()
    {
        // verify says who made the folder, not what it computes: a release re-signed with the key passes verify.
        var release = GateAttackTests.Tampered(f, $"verify-resigned-{Guid.NewGuid():N}", folder =>
            File.AppendAllText(Path.Combine(folder, ReleaseFileNames.Config), " "));
        ReleaseVerifier.Verify(release, f.PublicKey).Passed.Should().BeTrue();
        ReleaseGate.Evaluate(release, f.Policy, f.PublicKey).Passed.Should().BeFalse();
    }
}
