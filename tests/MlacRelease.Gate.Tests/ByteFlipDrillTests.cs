using MlacRelease.Common.Release;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// The tamper drill: 1,000 single-byte changes over every file of a signed release (every byte of manifest.sig once,
/// at least 200 in manifest.json and manifest.sig together, the rest spread over the other files), each must be
/// refused by the gate. A sample goes through the real <c>mlac gate</c> process, which must exit 1.
/// </summary>
[Collection(GateCollection.Name)]
public sealed class ByteFlipDrillTests(GateFixture f)
{
    private const int Changes = 1000;

    /// <summary>(file, offset, xor) for every change, deterministic by seed; xor is never 0.</summary>
    private List<(string File, int Offset, byte Xor)> Plan(int seed)
    {
        var random = new Random(seed);
        var sizes = ReleaseCopy.Files(f.Release).ToDictionary(p => p, p => (int)new FileInfo(Path.Combine(f.Release, p)).Length, StringComparer.Ordinal);
        byte Xor() => (byte)random.Next(1, 256);
        var plan = new List<(string, int, byte)>();
        for (var i = 0; i < sizes[ReleaseFileNames.ManifestSignature]; i++) plan.Add((ReleaseFileNames.ManifestSignature, i, Xor()));
        for (var i = 0; i < 150; i++) plan.Add((ReleaseFileNames.Manifest, random.Next(sizes[ReleaseFileNames.Manifest]), Xor()));
        var others = sizes.Keys.Where(n => n is not (ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature)).Order(StringComparer.Ordinal).ToList();
        while (plan.Count < Changes)
        {
            var file = others[plan.Count % others.Count];
            plan.Add((file, random.Next(sizes[file]), Xor()));
        }
        return plan;
    }

    [Fact]
    public void Every_single_byte_change_of_a_signed_release_is_refused()
    {
        var plan = Plan(seed: 20261203);
        plan.Should().HaveCount(Changes);
        plan.Count(p => p.File is ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature).Should().BeGreaterThanOrEqualTo(200);
        var signatureLength = (int)new FileInfo(Path.Combine(f.Release, ReleaseFileNames.ManifestSignature)).Length;
        plan.Where(p => p.File == ReleaseFileNames.ManifestSignature).Select(p => p.Offset).Distinct().Should().HaveCount(signatureLength);
        plan.Select(p => p.File).Distinct().Should().Contain([ReleaseFileNames.Model, ReleaseFileNames.Config, ReleaseFileNames.Tokenizer, ReleaseFileNames.TokenizerConfig],
            "the drill covers every file, the one in onnx/ included");

        var release = f.CopyOfRelease("drill");
        var accepted = new List<string>();
        var failedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (file, offset, xor) in plan)
        {
            var path = Path.Combine(release, file);
            var original = File.ReadAllBytes(path);
            var changed = (byte[])original.Clone();
            changed[offset] ^= xor;
            File.WriteAllBytes(path, changed);
            var result = ReleaseGate.Evaluate(release, f.Policy, f.PublicKey);
            File.WriteAllBytes(path, original);
            if (result.Passed) accepted.Add($"{file}@{offset}^{xor:x2}");
            else
            {
                var first = result.Checks.First(c => !c.Passed).Name;
                failedAt[first] = failedAt.GetValueOrDefault(first) + 1;
            }
        }
        accepted.Should().BeEmpty("every change must be refused");
        failedAt.Keys.Should().BeSubsetOf(["signature", "manifest digests"], "a changed byte is caught before anything is parsed or imported");
        ReleaseGate.Evaluate(release, f.Policy, f.PublicKey).Passed.Should().BeTrue("the drill restores each byte, so the untouched release still passes");
    }

    [Fact]
    public void A_sample_of_the_drill_through_the_real_gate_process_exits_1()
    {
        var sample = Plan(seed: 7).Where((_, i) => i % 100 == 0).ToList();
        sample.Select(s => s.File).Distinct().Count().Should().BeGreaterThan(2);
        foreach (var (file, offset, xor) in sample)
        {
            var release = f.CopyOfRelease($"drill-process-{file.Replace('/', '-')}-{offset}");
            var path = Path.Combine(release, file);
            var bytes = File.ReadAllBytes(path);
            bytes[offset] ^= xor;
            File.WriteAllBytes(path, bytes);
            var (code, output) = MlacProcess.Run("gate", "--release", release, "--policy", f.Policy, "--public-key", f.PublicKey, "--no-progress");
            code.Should().Be(1, $"{file}@{offset}: {output}");
            output.Should().Contain("gate: FAIL");
        }
    }
}
