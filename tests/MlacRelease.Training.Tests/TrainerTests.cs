using MlacRelease.Common.Text;
using MlacRelease.Core.Builtin;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Selection;
using MlacRelease.Core.Text;
using MlacRelease.Core.Weights;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using MlacRelease.Training.Trainer;
using MlacRelease.Common.Errors;

namespace MlacRelease.Training.Tests;

public sealed class TrainerTests : IDisposable
{
    private static readonly Lazy<(BertTextTokenizer Tokenizer, string Vocabulary)> Vocab = new(() =>
    {
        var vocabulary = BuiltinModel.ReadVocabulary();
        return (new BertTextTokenizer(vocabulary), vocabulary);
    });

    private readonly TempFolder _root = new("mlac-train-");

    public void Dispose()
    {
        if (_pretrained.IsValueCreated) _pretrained.Value.Dispose();
        _root.Dispose();
    }

    private static readonly MlacTrainingOptions Options = new()
    {
        InnerSteps = 2, InnerBatchSizes = [4, 6], HeadOnlyProbability = 0.5, OuterBatchSize = 6, Steps = 6,
        EvaluateEvery = 3, CheckpointEvery = 2, MaxLength = 24, ValidationExamples = 40, QuickAttackerExamples = 40,
        OuterLearningRate = 1e-3, Seed = 5, LoraRolloutProbability = 0.5, LoraRank = 2,
    };

    private TrainingRunInputs Inputs(string folder, EncoderWeights pretrained, bool restart = false)
    {
        var dataset = Dataset.Create(BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 300, Seed = 2 }));
        var splits = DatasetSplitter.Split(dataset, SplitFractions.Paper, 1);
        return new TrainingRunInputs
        {
            Pretrained = pretrained, Vocabulary = Vocab.Value.Vocabulary, Tokenizer = Vocab.Value.Tokenizer, Dataset = dataset,
            DefenderTrain = splits.DefenderTrain, OutputFolder = Path.Combine(_root.Path, folder), Restart = restart,
        };
    }

    private static EncoderWeights Pretrained() => EncoderWeights.RandomInit(new EncoderConfig
    {
        VocabSize = 30522, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 32,
    }, seed: 9);

    private sealed class CancelAt(long step, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step) source.Cancel();
        }
    }

    [Fact]
    public void Interrupted_then_resumed_training_equals_uninterrupted_training_bit_for_bit()
    {
        var straight = AssertResumeIsBitIdentical(Options, "");
        var loraRates = File.ReadLines(Path.Combine(straight, "metrics.jsonl"))
            .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["lora_lr"]?.GetValue<double>()).ToList();
        loraRates.Should().Contain(r => r == null, "some rollouts fine-tune all weights");
        loraRates.Where(r => r != null).Should().NotBeEmpty("some rollouts are LoRA attackers")
            .And.OnlyContain(r => r >= 1e-3 && r <= 5e-3, "their learning rate is drawn from the LoRA range");
    }

    [Fact]
    public void Resume_is_bit_identical_with_every_bounded_suppression_term_on()
    {
        var options = Options with
        {
            Objective = new()
            {
                Weights = new() { Desired = 1, HeadAdjustment = 1, GradientPenalty = 0.5, Entropy = 0.5, KlUniform = 0.3, InverseCrossEntropy = 0.2, Representation = 0.4, Erasure = 0.3, MetaErasure = 0.3 },
                EntropyStepDecay = 0.25,
            },
        };
        var straight = AssertResumeIsBitIdentical(options, "suppression-");
        var steps = File.ReadLines(Path.Combine(straight, "metrics.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
            .Where(o => o["eval"] is null).ToList();
        steps.Should().HaveCount(6);
        foreach (var field in new[] { "attacker_entropy", "kl_uniform", "inverse_ce", "rep_mmd" })
        {
            steps.Should().OnlyContain(o => o[field]!.GetValue<double>() > 0 && double.IsFinite(o[field]!.GetValue<double>()), $"{field} is logged at every step");
        }
        // An unbiased estimate: it may fall below zero, and it is 0 on a batch without two examples of each class.
        steps.Should().OnlyContain(o => double.IsFinite(o["erase_gap"]!.GetValue<double>()), "erase_gap is logged at every step");
        steps.Count(o => o["erase_gap"]!.GetValue<double>() != 0).Should().BeGreaterThan(2, "it is computed, not left at 0");
        steps.Should().OnlyContain(o => double.IsFinite(o["meta_erase_gap"]!.GetValue<double>()), "meta_erase_gap is logged at every step");
        steps.Count(o => o["meta_erase_gap"]!.GetValue<double>() != 0).Should().BeGreaterThan(2, "it is computed, not left at 0");
        // The new terms change the run: the same seed without them trains other weights.
        var without = new MlacTrainer(Options with { Steps = 2 }, Inputs("suppression-off", _pretrained.Value)).Run();
        var with = new MlacTrainer(options with { Steps = 2 }, Inputs("suppression-on", _pretrained.Value)).Run();
        with.WeightDigest.Should().NotBe(without.WeightDigest);
    }

    [Fact]
    public void Selection_candidates_are_kept_at_their_steps_survive_a_resume_and_do_not_change_training()
    {
        var options = Options with { Steps = 5, CandidateEvery = 2 };
        var plain = new MlacTrainer(Options with { Steps = 5 }, Inputs("no-candidates", _pretrained.Value)).Run();
        var kept = new MlacTrainer(options, Inputs("candidates", _pretrained.Value)).Run();
        kept.WeightDigest.Should().Be(plain.WeightDigest, "keeping candidates writes files, it does not train differently");
        var folder = Path.Combine(_root.Path, "candidates");
        CandidateLayout.List(folder).Select(c => c.Step).Should().Equal(2, 4, 5);

        // The last candidate is the final state: the encoder tensors of the latest checkpoint.
        var (weights, _) = HuggingFaceDirectory.Load(CandidateLayout.List(folder)[^1].Path);
        using (weights)
        {
            var latest = SafetensorsReader.Read(Path.Combine(folder, "checkpoints", "latest.safetensors"));
            foreach (var (name, tensor) in weights.Tensors)
            {
                using var expected = TorchTensorRecords.ToTensor(latest["param." + name]);
                tensor.eq(expected).all().item<bool>().Should().BeTrue(name);
            }
        }

        using var cancel = new CancellationTokenSource();
        new MlacTrainer(options, Inputs("candidates-resumed", _pretrained.Value)).Run(new CancelAt(3, cancel), cancel.Token);
        new MlacTrainer(options, Inputs("candidates-resumed", _pretrained.Value)).Run();
        var resumed = CandidateLayout.List(Path.Combine(_root.Path, "candidates-resumed"));
        resumed.Select(c => c.Step).Should().Equal(2, 4, 5);
        foreach (var ((_, a), (_, b)) in CandidateLayout.List(folder).Zip(resumed))
            File.ReadAllBytes(Path.Combine(b, "model.safetensors")).Should().Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")));
    }

    private static readonly MlacTrainingOptions RealisticLong = Options with
    {
        HeadOnlyProbability = 0, LoraRolloutProbability = 0,
        Objective = new() { Weights = new() { Desired = 1, HeadAdjustment = 1, Entropy = 0.5, KlUniform = 0.2 } },
        AttackerMix = new RealisticAttackerMix { LoraRanks = [2, 4], LoraAlphasPerRank = [1, 2, 4], ReinitTopLayersWeight = 2 },
        LongHorizon = new LongHorizonOptions { Steps = 5, SuppressionEvery = 2, Fraction = 0.5 },
    };

    [Fact]
    public void Resume_is_bit_identical_with_the_realistic_attacker_and_long_rollouts()
    {
        var straight = AssertResumeIsBitIdentical(RealisticLong, "realistic-");
        var steps = File.ReadLines(Path.Combine(straight, "metrics.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
            .Where(o => o["eval"] is null).ToList();
        steps.Should().HaveCount(6).And.OnlyContain(o => o["attacker_family"] != null && o["attacker_optimizer"] != null && o["attacker_rollout_lr"] != null,
            "every rollout's draw is recorded");
        steps.Should().Contain(o => o["attacker_family"]!.GetValue<string>() == nameof(AttackerFamily.ReinitTopLayers), "the resumed run covers a re-initialisation rollout");
        steps.Where(o => o["suppression_every"] != null).Should().NotBeEmpty().And.OnlyContain(o => o["inner_steps"]!.GetValue<int>() == 5 && o["suppression_every"]!.GetValue<int>() == 2);
        steps.Where(o => o["suppression_every"] == null).Should().NotBeEmpty().And.OnlyContain(o => o["inner_steps"]!.GetValue<int>() == 2);
    }

    /// <summary>Meta-erasure in both rollouts (short second-order, long first-order at its points): the resumed run's weights
    /// equal the uninterrupted run's, and the adapted gap is logged from both kinds of rollout.</summary>
    [Fact]
    public void Resume_is_bit_identical_with_meta_erasure_in_short_and_long_rollouts()
    {
        var options = RealisticLong with
        {
            Objective = RealisticLong.Objective with { Weights = RealisticLong.Objective.Weights with { Erasure = 0.3, MetaErasure = 0.5 } },
        };
        var straight = AssertResumeIsBitIdentical(options, "meta-erase-");
        var steps = File.ReadLines(Path.Combine(straight, "metrics.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
            .Where(o => o["eval"] is null).ToList();
        steps.Should().OnlyContain(o => double.IsFinite(o["meta_erase_gap"]!.GetValue<double>()));
        steps.Where(o => o["suppression_every"] != null).Should().Contain(o => o["meta_erase_gap"]!.GetValue<double>() != 0, "long rollouts compute it");
        steps.Where(o => o["suppression_every"] == null).Should().Contain(o => o["meta_erase_gap"]!.GetValue<double>() != 0, "short rollouts compute it");
    }

    [Fact]
    public void Resume_is_bit_identical_with_a_LoRA_attacker_carried_across_the_checkpoint()
    {
        var carrying = RealisticLong with
        {
            AttackerMix = RealisticLong.AttackerMix! with { LoraWeight = 4, ReinitTopLayersWeight = 0 },
            LongHorizon = RealisticLong.LongHorizon! with { CarriedLoraSteps = 15 },
        };
        var straight = AssertResumeIsBitIdentical(carrying, "carry-");
        var steps = File.ReadLines(Path.Combine(straight, "metrics.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
            .Where(o => o["eval"] is null).ToList();
        steps.Where(o => o["attacker_family"]!.GetValue<string>() == nameof(AttackerFamily.Lora))
            .Should().OnlyContain(o => o["carried_steps"] != null && o["suppression_every"] != null, "every LoRA rollout is long and carried");
        steps.Should().Contain(o => o["step"]!.GetValue<long>() > 3 && o["carried_steps"] != null && o["carried_steps"]!.GetValue<int>() > 0
            && steps.Any(p => p["step"]!.GetValue<long>() <= 3 && p["carried_steps"] != null),
            "an attacker started before the checkpoint at step 3 is continued after it");
    }

    [Fact]
    public void Resume_is_bit_identical_when_only_a_share_of_LoRA_rollouts_carries()
    {
        var lora = RealisticLong with { AttackerMix = RealisticLong.AttackerMix! with { LoraWeight = 4, ReinitTopLayersWeight = 0 } };
        // The smallest share at which the run's 6 steps (plans 0–5) hold both kinds of LoRA rollout (the choice reads only the attacker
        // stream, so synthetic examples give the run's choices).
        var examples = Enumerable.Range(0, 60).Select(i => new EncodedExample([1, 2 + i % 7], i % 3, i % 2)).ToList();
        var partly = new[] { 0.2, 0.35, 0.5, 0.65, 0.8, 0.95 }
            .Select(share => lora with { LongHorizon = lora.LongHorizon! with { CarriedLoraSteps = 15, CarriedLoraShare = share } })
            .First(o =>
            {
                var sampler = new RolloutSampler(examples, o);
                var plans = Enumerable.Range(0, 6).Select(step => sampler.Plan(step)).Where(p => p.Lora is not null).ToList();
                return plans.Any(p => p.Carries) && plans.Any(p => !p.Carries);
            });
        var straight = AssertResumeIsBitIdentical(partly, "share-");
        var rollouts = File.ReadLines(Path.Combine(straight, "metrics.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
            .Where(o => o["eval"] is null && o["attacker_family"]!.GetValue<string>() == nameof(AttackerFamily.Lora)).ToList();
        rollouts.Should().Contain(o => o["carried_steps"] != null, "some LoRA rollouts carry").And.Contain(o => o["carried_steps"] == null, "and some start fresh");
    }

    [Fact]
    public void Resuming_with_another_attacker_mix_or_horizon_is_refused()
    {
        using var pretrained = Pretrained();
        new MlacTrainer(RealisticLong with { Steps = 1 }, Inputs("run", pretrained)).Run();
        var variants = new[]
        {
            RealisticLong with { LongHorizon = RealisticLong.LongHorizon! with { Steps = 6 } },
            RealisticLong with { LongHorizon = RealisticLong.LongHorizon! with { SuppressionEvery = 1 } },
            RealisticLong with { LongHorizon = RealisticLong.LongHorizon! with { Fraction = 1 } },
            RealisticLong with { LongHorizon = RealisticLong.LongHorizon! with { CarriedLoraSteps = 10 } },
            RealisticLong with { LongHorizon = null },
            RealisticLong with { AttackerMix = RealisticLong.AttackerMix! with { LearningRateMax = 1e-3 } },
            RealisticLong with { AttackerMix = RealisticLong.AttackerMix! with { Optimizers = [InnerOptimizerKind.Adam] } },
            RealisticLong with { AttackerMix = RealisticLong.AttackerMix! with { ReinitTopLayersWeight = 0 } },
            RealisticLong with { AttackerMix = RealisticLong.AttackerMix! with { LoraAlphasPerRank = [2] } },
            RealisticLong with { AttackerMix = null },
        };
        foreach (var variant in variants)
        {
            var resume = () => new MlacTrainer(variant with { Steps = 2 }, Inputs("run", pretrained)).Run();
            resume.Should().Throw<RunFolderMismatchException>().WithMessage("*other training options*");
        }
        new MlacTrainer(RealisticLong with { Steps = 2 }, Inputs("run", pretrained)).Run().ResumedFromStep.Should().Be(1, "the same options resume");
    }

    private readonly Lazy<EncoderWeights> _pretrained = new(Pretrained);

    /// <summary>Six steps straight, and three then a resumed three in another folder: same checkpoint tensors, weights
    /// and logged losses. Returns the straight run's folder.</summary>
    private string AssertResumeIsBitIdentical(MlacTrainingOptions options, string prefix)
    {
        var pretrained = _pretrained.Value;
        var straight = new MlacTrainer(options, Inputs(prefix + "straight", pretrained)).Run();
        straight.StepsCompleted.Should().Be(6);

        using var cancel = new CancellationTokenSource();
        var first = new MlacTrainer(options, Inputs(prefix + "resumed", pretrained)).Run(new CancelAt(3, cancel), cancel.Token);
        first.StoppedBecause.Should().Be("cancelled");
        first.StepsCompleted.Should().Be(3);
        var second = new MlacTrainer(options, Inputs(prefix + "resumed", pretrained)).Run();
        second.ResumedFromStep.Should().Be(3);
        second.StepsCompleted.Should().Be(6);

        var a = SafetensorsReader.Read(Path.Combine(_root.Path, prefix + "straight", "checkpoints", "latest.safetensors"));
        var b = SafetensorsReader.Read(Path.Combine(_root.Path, prefix + "resumed", "checkpoints", "latest.safetensors"));
        a.Tensors.Select(t => t.Name).Should().Equal(b.Tensors.Select(t => t.Name));
        foreach (var tensor in a.Tensors) tensor.ContentEquals(b[tensor.Name]).Should().BeTrue(tensor.Name);
        second.WeightDigest.Should().Be(straight.WeightDigest);

        static IEnumerable<string> Losses(string folder) => File.ReadLines(Path.Combine(folder, "metrics.jsonl"))
            .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
            .Select(o => $"{o["step"]} {o["outer_loss"]} {o["attacker_ce"]} {o["lora_lr"]} {o["attacker_entropy"]} {o["kl_uniform"]} " +
                         $"{o["inverse_ce"]} {o["rep_mmd"]} {o["attacker_family"]} {o["attacker_optimizer"]} {o["attacker_rollout_lr"]} {o["suppression_every"]} {o["carried_steps"]} " +
                         $"{o["eval"]?["validation_loss"]}");
        Losses(Path.Combine(_root.Path, prefix + "resumed")).Should().Equal(Losses(Path.Combine(_root.Path, prefix + "straight")));
        return Path.Combine(_root.Path, prefix + "straight");
    }

    [Fact]
    public void The_output_folder_is_a_Hugging_Face_model_with_the_reported_digest_and_plots()
    {
        using var pretrained = Pretrained();
        var summary = new MlacTrainer(Options with { Steps = 3 }, Inputs("out", pretrained)).Run();
        var (weights, vocabulary) = HuggingFaceDirectory.Load(summary.ModelFolder);
        using (weights)
        {
            weights.Digest().Should().Be(summary.WeightDigest);
            weights.Digest().Should().NotBe(pretrained.Digest(), "training changed the encoder");
        }
        vocabulary.Should().Be(Vocab.Value.Vocabulary);
        File.Exists(Path.Combine(summary.ModelFolder, "plots", "losses.png")).Should().BeTrue();
        new FileInfo(Path.Combine(summary.ModelFolder, "plots", "validation.png")).Length.Should().BeGreaterThan(1000);
        summary.InitialEvaluation!.DesiredAccuracy.Should().BeInRange(0, 1);
        summary.InitialEvaluation.HarmfulLayerProbeAccuracy.Should().HaveCount((int)pretrained.Config.NumHiddenLayers, "one probe per layer")
            .And.OnlyContain(a => a >= 0 && a <= 1);
        new FileInfo(Path.Combine(summary.ModelFolder, "plots", "layer-probes.png")).Length.Should().BeGreaterThan(1000);
    }

    [Fact]
    public void A_corrupt_or_truncated_checkpoint_is_refused_and_the_previous_good_one_survives()
    {
        using var pretrained = Pretrained();
        new MlacTrainer(Options with { Steps = 3 }, Inputs("run", pretrained)).Run();
        var checkpoints = Path.Combine(_root.Path, "run", "checkpoints");
        var latest = Path.Combine(checkpoints, "latest.safetensors");
        var best = Path.Combine(checkpoints, "best.safetensors");
        var good = File.ReadAllBytes(latest);

        File.WriteAllBytes(latest, good.AsSpan(0, good.Length / 2).ToArray());
        var truncated = () => new MlacTrainer(Options with { Steps = 6 }, Inputs("run", pretrained)).Run();
        truncated.Should().Throw<MlacInputException>().WithMessage($"*{latest}*");

        var flipped = (byte[])good.Clone();
        flipped[^3] ^= 0x10;
        File.WriteAllBytes(latest, flipped);
        truncated.Should().Throw<MlacInputException>().WithMessage("*digest*corrupt*");

        TrainingCheckpoint.Load(best).Info.Step.Should().Be(3, "the best checkpoint is untouched");
    }

    [Fact]
    public void Resuming_with_different_options_is_refused()
    {
        using var pretrained = Pretrained();
        new MlacTrainer(Options with { Steps = 2 }, Inputs("run", pretrained)).Run();
        var other = () => new MlacTrainer(Options with { Steps = 4, OuterLearningRate = 5e-3 }, Inputs("run", pretrained)).Run();
        other.Should().Throw<RunFolderMismatchException>().WithMessage("*other training options*--restart*");
        var restarted = new MlacTrainer(Options with { Steps = 2, OuterLearningRate = 5e-3 }, Inputs("run", pretrained, restart: true)).Run();
        restarted.ResumedFromStep.Should().BeNull();
    }
}
