using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Cli.Commands;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Text;
using MlacRelease.Core.Builtin;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Training.Trainer;
using MlacRelease.Core.Sources;

namespace MlacRelease.Cli.Tests;

/// <summary>
/// mlac train records its split (split.json beside the model); mlac certify on that model uses it, and refuses
/// another seed or other data, naming both values. Trained through the train command's own code path on a 1-layer,
/// 16-wide encoder for two steps, so the split is the one the CLI makes.
/// </summary>
public sealed class SplitTravelsWithTheModelTests : IDisposable
{
    private const string Data = "builtin:bios:2000:2";
    private const ulong TrainingSeed = 5;

    private readonly TempFolder _root = new("mlac-cli-split-");
    private readonly string _pretrained;
    private readonly string _run;
    private readonly string _battery;

    public SplitTravelsWithTheModelTests()
    {
        _pretrained = InProcess.TinyEncoder.Save(Path.Combine(_root.Path, "pretrained"));
        _run = Path.Combine(_root.Path, "run");
        var mode = new OutputMode(Json: false, NoProgress: true);
        TrainCommand.Train(mode, TinyRun, _pretrained, Data, DatasetSchema.Default, _run, "cpu", restart: false, CancellationToken.None).GetAwaiter().GetResult();
        _battery = Path.Combine(_root.Path, "tiny.yaml");
        File.WriteAllText(_battery, TinyBattery);
    }

    private static readonly MlacTrainingOptions TinyRun = new()
    {
        InnerSteps = 2, InnerBatchSizes = [4], OuterBatchSize = 6, Steps = 2, EvaluateEvery = 2, CheckpointEvery = 2, MaxLength = 16,
        ValidationExamples = 40, QuickAttackerExamples = 40, HeadInitializationExamples = 60, Seed = TrainingSeed,
    };

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Training_records_its_seed_fractions_and_data_digest_beside_the_model()
    {
        var record = SplitRecord.TryRead(_run);
        record.Should().NotBeNull();
        record!.Seed.Should().Be(TrainingSeed);
        record.Fractions.Should().Be(SplitFractions.Paper);
        record.DatasetDigest.Should().Be(DataSource.Load(Data, DatasetSchema.Default).Digest);
    }

    [Fact]
    public async Task A_split_seed_apart_from_the_run_seed_is_the_one_recorded_and_certified_with()
    {
        // Another training stream (seed 6) on the first run's split (5): certify splits as the first run did.
        var other = Path.Combine(_root.Path, "other-stream");
        var options = TinyRun with { Seed = 6, SplitSeed = TrainingSeed };
        await TrainCommand.Train(new OutputMode(Json: false, NoProgress: true), options, _pretrained, Data, DatasetSchema.Default, other, "cpu", restart: false, CancellationToken.None);
        SplitRecord.TryRead(other)!.Seed.Should().Be(TrainingSeed);
        using var first = CertificationLoader.Load(Inputs());
        using var second = CertificationLoader.Load(Inputs() with { Model = other });
        second.Data.EncodedDigest.Should().Be(first.Data.EncodedDigest);
        // The weights differ: the seed still drives the training stream.
        File.ReadAllBytes(Path.Combine(other, "model.safetensors")).Should().NotEqual(File.ReadAllBytes(Path.Combine(_run, "model.safetensors")));
    }

    [Fact]
    public async Task Certify_with_another_seed_is_refused_naming_both_seeds()
    {
        (await Plan(seed: "6")).Should().Be(ExitCodes.InputError);
        var load = () => CertificationLoader.Load(Inputs(seed: 6));
        load.Should().Throw<SplitMismatchException>()
            .Which.Message.Should().Contain(Path.Combine(_run, SplitRecord.FileName)).And.Contain("split seed 5").And.Contain("seed 6");
    }

    [Fact]
    public async Task Certify_on_other_data_is_refused_naming_both_digests()
    {
        (await Plan(data: "builtin:bios:2000:3")).Should().Be(ExitCodes.InputError);
        var other = DataSource.Load("builtin:bios:2000:3", DatasetSchema.Default).Digest;
        var load = () => CertificationLoader.Load(Inputs() with { Data = "builtin:bios:2000:3" });
        load.Should().Throw<SplitMismatchException>().Which.Message.Should().Contain(SplitRecord.TryRead(_run)!.DatasetDigest).And.Contain(other);
    }

    [Fact]
    public void Other_fractions_are_refused_too()
    {
        var load = () => CertificationLoader.Load(Inputs() with { SplitFractions = new SplitFractions(0.8, 0.05, 0.05, 0.1) });
        load.Should().Throw<SplitMismatchException>().Which.Message.Should().Contain("fractions");
    }

    [Fact]
    public async Task Same_seed_or_none_gives_the_training_split_exactly()
    {
        (await Plan(seed: "5")).Should().Be(0);
        (await Plan()).Should().Be(0);
        using var recorded = CertificationLoader.Load(Inputs());
        using var explicitSeed = CertificationLoader.Load(Inputs(seed: TrainingSeed));
        recorded.Data.SplitSeed.Should().Be(TrainingSeed);
        explicitSeed.Data.EncodedDigest.Should().Be(recorded.Data.EncodedDigest);

        // The data certify attacks is the training split's attacker and test parts: the split of the recorded seed,
        // and not the one of another seed (DatasetSplitter's own tests show those parts are disjoint from the defender's).
        var dataset = DataSource.Load(Data, DatasetSchema.Default);
        var tokenizer = new BertTextTokenizer(BuiltinModel.ReadVocabulary(), new TokenizerSettings { MaxLength = 16 });
        var needed = BatteryParser.Load(_battery).DesiredExamplesNeeded;
        CertificationData.FromDataset(dataset, tokenizer, TrainingSeed, 16, needed).EncodedDigest.Should().Be(recorded.Data.EncodedDigest);
        CertificationData.FromDataset(dataset, tokenizer, 6, 16, needed).EncodedDigest.Should().NotBe(recorded.Data.EncodedDigest);
    }

    private CertificationInputs Inputs(ulong? seed = null) => new()
    {
        Model = _run, Pretrained = _pretrained, Data = Data, Battery = BatteryParser.Load(_battery), SplitSeed = seed,
    };

    private Task<int> Plan(string? seed = null, string data = Data) => CertifyCommand.Create().Parse([
        "--model", _run, "--pretrained", _pretrained, "--data", data, "--battery", _battery, "--out", Path.Combine(_root.Path, "cert"), "--plan",
        "--baseline-cache", SharedOptions.NoBaselineCache, "--no-progress", "--threads-per-worker", "1", .. seed is null ? Array.Empty<string>() : ["--seed", seed]]).InvokeAsync();

    internal const string TinyBattery = """
        schema: mlac.battery/v1
        name: tiny
        seed: 3
        max_length: 16
        evaluation: {every: 4, tune_examples: 48, test_examples: 96}
        data_sizes: [8, 24]
        seeds: [0, 1]
        search: {method: random_successive_halving, trials: 3, eta: 3, rungs: 2}
        metrics: {accuracy_targets: [0.7, 0.9], blocking_min_gap: 0.05}
        retention:
          train_examples: 64
          probe_l2: 0.01
          fine_tune: {optimizer: adamw, learning_rate: 3.0e-3, schedule: constant, batch_size: 8, steps: 12}
        attacks:
          - family: linear_probe
            l2: {min: 1.0e-3, max: 1.0}
        """;
}
