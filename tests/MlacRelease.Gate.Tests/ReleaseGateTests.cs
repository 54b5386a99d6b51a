namespace MlacRelease.Gate.Tests;

[Collection(GateCollection.Name)]
public sealed class ReleaseGateTests(GateFixture f)
{
    private static GateCheck Check(GateResult result, string name) => result.Checks.Single(c => c.Name == name);

    [Fact]
    public void A_good_release_passes_every_check()
    {
        var result = ReleaseGate.Evaluate(f.Release, f.Policy, f.PublicKey);
        result.Checks.Select(c => c.Name).Should().Equal("signature", "manifest digests", "graph structure", "consumer files", "certified weights", "certificate integrity", "policy", "parity");
        result.Failures.Should().BeEmpty(string.Join("; ", result.Failures.Select(c => $"{c.Name}: {c.Detail}")));
        result.Passed.Should().BeTrue();
        Check(result, "parity").Detail.Should().Contain("max |ONNX Runtime − TorchSharp|");
    }

    [Theory]
    [InlineData("onnx/model.onnx")]
    [InlineData("config.json")]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer_config.json")]
    [InlineData("special_tokens_map.json")]
    [InlineData("certificate.json")]
    [InlineData("README.md")]
    public void One_flipped_byte_in_any_file_fails_the_manifest_check_naming_the_file(string file)
    {
        var release = f.CopyOfRelease($"flip-{file}");
        var path = Path.Combine(release, file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var result = ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);
        result.Passed.Should().BeFalse();
        var check = Check(result, "manifest digests");
        check.Passed.Should().BeFalse();
        check.Detail.Should().Contain(file);
    }

    [Fact]
    public void A_flipped_byte_in_the_manifest_fails_the_signature()
    {
        var release = f.CopyOfRelease("flip-manifest");
        var path = Path.Combine(release, "manifest.json");
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text.Replace("\"schema_version\"", "\"schema_version\" ", StringComparison.Ordinal) is var changed && changed != text ? changed : text + " ");
        var result = ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);
        result.Passed.Should().BeFalse();
        Check(result, "signature").Passed.Should().BeFalse();
    }

    [Fact]
    public void A_wrong_key_fails_the_signature()
    {
        var result = ReleaseGate.Evaluate(f.Release, f.Policy, f.WrongPublicKey);
        result.Passed.Should().BeFalse();
        Check(result, "signature").Detail.Should().Contain("signed by key");
    }

    [Fact]
    public void A_certificate_for_other_weights_fails_even_when_correctly_signed()
    {
        var result = ReleaseGate.Evaluate(f.ReleaseWithOtherCertificate, f.Policy, f.PublicKey);
        Check(result, "manifest digests").Passed.Should().BeTrue();
        Check(result, "signature").Passed.Should().BeTrue();
        Check(result, "certified weights").Passed.Should().BeFalse();
        Check(result, "certified weights").Detail.Should().Contain("the certificate is for");
        result.Passed.Should().BeFalse();
    }

    [Fact]
    public void A_policy_threshold_not_met_fails_the_policy_check()
    {
        var result = ReleaseGate.Evaluate(f.Release, f.StrictPolicy, f.PublicKey);
        Check(result, "certificate integrity").Passed.Should().BeTrue();
        Check(result, "policy").Passed.Should().BeFalse();
        Check(result, "policy").Detail.Should().Contain("retention");
        result.Passed.Should().BeFalse();
    }

    [Fact]
    public void A_missing_file_fails_closed()
    {
        var release = f.CopyOfRelease("missing");
        File.Delete(Path.Combine(release, "tokenizer.json"));
        var result = ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);
        Check(result, "manifest digests").Detail.Should().Contain("tokenizer.json");
        result.Passed.Should().BeFalse();
        result.Checks.Where(c => c.Name is not ("manifest digests" or "signature")).Should().OnlyContain(c => !c.Passed, "later checks depend on an intact folder");

        var unsigned = f.CopyOfRelease("unsigned");
        File.Delete(Path.Combine(unsigned, "manifest.sig"));
        Check(ReleaseGate.Evaluate(unsigned, f.Policy, f.PublicKey), "signature").Passed.Should().BeFalse();
    }

    // The CLI's exit codes, from the real tool: 0 pass, 1 a failed check (named), 2 usage error.
    private static (int Code, string Output) Mlac(params string[] args) => MlacProcess.Run(args);

    [Fact]
    public void The_gate_command_exits_0_on_pass_1_on_a_failed_check_and_2_on_usage_errors()
    {
        var pass = Mlac("gate", "--release", f.Release, "--policy", f.Policy, "--public-key", f.PublicKey, "--no-progress");
        pass.Code.Should().Be(0, pass.Output);
        pass.Output.Should().Contain("gate: PASS");

        var wrongKey = Mlac("gate", "--release", f.Release, "--policy", f.Policy, "--public-key", f.WrongPublicKey, "--no-progress");
        wrongKey.Code.Should().Be(1, wrongKey.Output);
        wrongKey.Output.Should().Contain("FAIL").And.Contain("signature");

        var missingOption = Mlac("gate", "--release", f.Release);
        missingOption.Code.Should().Be(2, missingOption.Output);

        var missingPolicy = Mlac("gate", "--release", f.Release, "--policy", f.P("nope.yaml"), "--public-key", f.PublicKey);
        missingPolicy.Code.Should().Be(2, missingPolicy.Output);
        missingPolicy.Output.Should().Contain("nope.yaml");
    }
}
