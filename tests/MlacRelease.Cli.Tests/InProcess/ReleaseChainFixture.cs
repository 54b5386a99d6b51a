using MlacRelease.Core.Builtin;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;

namespace MlacRelease.Cli.Tests.InProcess;

/// <summary>A 1-layer, 16-wide pretrained encoder with the built-in vocabulary, saved as a Hugging Face folder.</summary>
public static class TinyEncoder
{
    public static string Save(string folder, long seed = 9)
    {
        using var weights = EncoderWeights.RandomInit(new EncoderConfig
        {
            VocabSize = 30522, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        }, seed);
        HuggingFaceDirectory.Save(folder, weights, BuiltinModel.ReadVocabulary());
        return folder;
    }
}

/// <summary>
/// The whole release chain, once per test class, each step an in-process <c>mlac</c> command line on tiny inputs:
/// train (2 steps) → certify (one linear-probe family) → the same battery as shards 1/2 and 2/2 → merge → export →
/// keygen → sign. The tests read the results; every step's exit code is asserted where it ran.
/// </summary>
public sealed class ReleaseChainFixture : IDisposable
{
    public const string Data = "builtin:bios:2000:2";

    private readonly TempFolder _root = new("mlac-cli-chain-");

    public string Root => _root.Path;

    public string Pretrained => Path.Combine(Root, "pretrained");
    public string Run => Path.Combine(Root, "run");
    public string Battery => Path.Combine(Root, "tiny.yaml");
    public string Certificate => Path.Combine(Root, "cert", "certificate.json");
    public string Release => Path.Combine(Root, "release");
    public string Key => Path.Combine(Root, "keys", "release.key");
    public string PublicKey => Path.Combine(Root, "keys", "release.pub");
    public string LenientPolicy => Path.Combine(Root, "lenient.yaml");

    public IReadOnlyDictionary<string, MlacResult> Steps => _steps;

    private readonly Dictionary<string, MlacResult> _steps = [];

    public ReleaseChainFixture()
    {
        TinyEncoder.Save(Pretrained);
        File.WriteAllText(Battery, SplitTravelsWithTheModelTests.TinyBattery);
        File.WriteAllText(LenientPolicy, """
            schema: mlac.policy/v1
            undefined_blocking: pass
            max_harmful_accuracy_over_random:
              default: 1.0
            min_desired_retention: 0.0
            required_parity_tolerance: 1.0e-4
            """);
        Step("train", "train", "--model", Pretrained, "--data", Data, "--out", Run, "--steps", "2", "--inner-steps", "2", "--inner-batch-sizes", "4",
            "--batch-size", "6", "--eval-every", "2", "--checkpoint-every", "2", "--max-length", "16", "--seed", "5", "--device", "cpu", "--no-progress");
        Step("certify", Certify(Path.Combine(Root, "cert")));
        Step("shard 1/2", [.. Certify(Path.Combine(Root, "shard-1")), "--shard", "1/2"]);
        Step("shard 2/2", [.. Certify(Path.Combine(Root, "shard-2")), "--shard", "2/2"]);
        Step("merge", "merge", "--out", Path.Combine(Root, "merged"), "--no-progress", Path.Combine(Root, "shard-1"), Path.Combine(Root, "shard-2"));
        Step("export", "export", "--model", Run, "--certificate", Certificate, "--out", Release, "--max-length", "16");
        Step("keygen", "keygen", "--out", Key);
        Step("sign", "sign", "--release", Release, "--key", Key);
    }

    public string[] Certify(string output) =>
    [
        "certify", "--model", Run, "--pretrained", Pretrained, "--data", Data, "--battery", Battery, "--out", output,
        "--baseline-cache", Commands.SharedOptions.NoBaselineCache, "--no-progress", "--threads-per-worker", "1", "--device", "cpu",
    ];

    private void Step(string name, params string[] arguments) => _steps[name] = Mlac.Expect(0, arguments);

    /// <summary>A copy of the signed release folder, to tamper with.</summary>
    public string CopyOfRelease(string name) => MlacRelease.Tests.Shared.ReleaseCopy.Copy(Release, Path.Combine(Root, name));

    public void Dispose() => _root.Dispose();
}
