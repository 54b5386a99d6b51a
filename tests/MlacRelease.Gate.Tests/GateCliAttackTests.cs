using MlacRelease.Common.Release;

namespace MlacRelease.Gate.Tests;

/// <summary>The attacks of <see cref="GateAttackTests"/> through the real tool: <c>mlac gate</c> exits 1 naming the
/// check, and inference and verification refuse to run without a key unless told otherwise.</summary>
[Collection(GateCollection.Name)]
public sealed class GateCliAttackTests(GateFixture f)
{
    [Fact]
    public void The_gate_process_exits_1_on_each_attack_naming_the_check()
    {
        var attacks = new GateAttackTests(f);
        var whereLength = attacks.OutputsNegatedExceptAtParityLengths();
        var swapped = GateAttackTests.Tampered(f, "cli-certificate-swapped", folder =>
            File.Copy(f.SameWeightsCertificatePath, Path.Combine(folder, ReleaseFileNames.Certificate), overwrite: true));
        var unlisted = f.CopyOfRelease("cli-unlisted");
        File.WriteAllText(Path.Combine(unlisted, "side.bin"), "anything");
        foreach (var (release, check) in new[] { (whereLength, "graph structure"), (swapped, "certified weights"), (unlisted, "manifest digests") })
        {
            var (code, output) = MlacProcess.Run("gate", "--release", release, "--policy", f.Policy, "--public-key", f.PublicKey, "--no-progress");
            code.Should().Be(1, output);
            output.Should().Contain($"FAIL  {check}").And.Contain("gate: FAIL");
        }
    }

    [Fact]
    public void Verify_embed_and_classify_need_a_key_and_serve_unsigned_only_by_opt_in_with_a_warning()
    {
        var noKey = MlacProcess.Run("verify", "--release", f.Release);
        noKey.Code.Should().Be(2, noKey.Output);
        var verified = MlacProcess.Run("verify", "--release", f.Release, "--public-key", f.PublicKey);
        verified.Code.Should().Be(0, verified.Output);
        var wrongKey = MlacProcess.Run("verify", "--release", f.Release, "--public-key", f.WrongPublicKey);
        wrongKey.Code.Should().Be(1, wrongKey.Output);

        var classifyNoKey = MlacProcess.Run("classify", "--release", f.Release, "w7 w8");
        classifyNoKey.Code.Should().Be(2, classifyNoKey.Output);
        classifyNoKey.Output.Should().Contain("--public-key");
        var classify = MlacProcess.Run("classify", "--release", f.Release, "--public-key", f.PublicKey, "w7 w8");
        classify.Code.Should().Be(0, classify.Output);

        var unsigned = f.CopyOfRelease("cli-unsigned");
        File.Delete(Path.Combine(unsigned, ReleaseFileNames.ManifestSignature));
        var refused = MlacProcess.Run("embed", "--release", unsigned, "--public-key", f.PublicKey, "w7 w8");
        refused.Code.Should().Be(1, refused.Output);
        refused.Output.Should().Contain("not signed");
        var optedIn = MlacProcess.Run("embed", "--release", unsigned, "--allow-unsigned", "w7 w8");
        optedIn.Code.Should().Be(0, optedIn.Output);
        optedIn.Output.Should().Contain("warning: serving a release without checking its signature");
    }
}
