using MlacRelease.Certification.Attacks;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Objective;
using MlacRelease.Training.Trainer;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>
/// The LoRA attacker MLAC trains against and the LoRA attack the certifier runs are one attacker. Training's side is the
/// differentiable fast-weight path (<see cref="SimulatedAttacker"/>: graph-tracked adapters, the differentiable Adam,
/// second order kept); certification's is the module path (<see cref="LoraEncoder"/>, torch.optim.Adam, its
/// <c>TrainingLoop</c>). From the same encoder, adapters (rank 4, one seed), head, batches, learning rate and gradient
/// clip, both must give the same logits before training and after the same optimiser steps.
/// </summary>
public sealed class AttackerAgreementTests
{
    private const int Rank = 4;
    private const double Alpha = 8;
    private const double LearningRate = 1e-2;
    private const double ClipNorm = 1.0;
    private const ulong AdapterSeed = 21;
    private const ulong BatchSeed = 22;
    private const int BatchSize = 4;
    private const int Steps = 5;

    /// <summary>float32 throughout (what certification runs in); the two optimisers order their arithmetic differently.</summary>
    private const double Tolerance = 1e-5;

    private static EncoderConfig Config => TinySetup.Config;

    [Fact]
    public void The_shared_attacker_gives_the_same_outputs_in_training_and_certification()
    {
        using var scope = NewDisposeScope();
        var outcome = RunBoth(new LoraSettings(Rank, Alpha, LoraTargets.All), AdapterSeed);

        outcome.Before.Should().BeLessThan(Tolerance, "same encoder, adapters and head before any step");
        outcome.After.Should().BeLessThan(Tolerance, $"the same {Steps} Adam steps on the same batches");
        outcome.Moved.Should().BeGreaterThan(1e-3, "the steps must change the logits, or agreement after them would say nothing");
        outcome.Targets.Should().Equal(outcome.CertificationTargets, "both adapt the same weights, in the same order");
        outcome.AdapterDifference.Should().BeLessThan(Tolerance, "the trained lora_A and lora_B agree too");
    }

    /// <summary>The comparison can fail: a certifier with another scaling, rank or adapter seed ends elsewhere (all
    /// start at the encoder, since B = 0).</summary>
    [Theory]
    [InlineData("scaling")]
    [InlineData("rank")]
    [InlineData("seed")]
    public void A_different_scaling_rank_or_seed_is_seen(string change)
    {
        using var scope = NewDisposeScope();
        var settings = change switch
        {
            "scaling" => new LoraSettings(Rank, 2 * Alpha, LoraTargets.All),
            "rank" => new LoraSettings(2 * Rank, 2 * Alpha, LoraTargets.All),   // the same α / r: only the rank differs
            _ => new LoraSettings(Rank, Alpha, LoraTargets.All),
        };
        var outcome = RunBoth(settings, change == "seed" ? AdapterSeed + 1 : AdapterSeed);

        outcome.Before.Should().BeLessThan(Tolerance, "every LoRA attacker starts at the encoder");
        outcome.After.Should().BeGreaterThan(100 * Tolerance, $"a certifier with another {change} is another attacker");
    }

    /// <summary>The quick probe watched in training is the certifier's linear-probe attack: the same pooled features
    /// of the frozen encoder and the same fitted probe, so the same accuracy.</summary>
    [Fact]
    public void The_quick_probe_is_the_certifiers_linear_probe()
    {
        using var scope = NewDisposeScope();
        using var weights = EncoderWeights.RandomInit(Config, seed: 8);
        var train = TinySetup.Examples(seed: 9, size: 40);
        var test = TinySetup.Examples(seed: 10, size: 20);
        var trainFeatures = QuickAttacker.PooledFeatures(weights, train);
        var testFeatures = QuickAttacker.PooledFeatures(weights, test);
        // What the certifier's FeatureCache computes for its probe.
        var certifierTrain = Core.Evaluation.PooledFeatures.Compute(Config, weights.Tensors, train);
        var certifierTest = Core.Evaluation.PooledFeatures.Compute(Config, weights.Tensors, test);
        MaxDifference(trainFeatures, certifierTrain).Should().BeLessThan(Tolerance);
        MaxDifference(testFeatures, certifierTest).Should().BeLessThan(Tolerance);

        long[] Harmful(IEnumerable<EncodedExample> examples) => examples.Select(e => (long)e.Harmful).ToArray();
        var quick = QuickAttacker.ProbeAccuracy(trainFeatures, Harmful(train), testFeatures, Harmful(test), classes: 2);
        var probe = Core.Evaluation.LogisticRegressionProbe.Fit(certifierTrain, tensor(Harmful(train)), 2, new() { L2 = QuickAttacker.ProbeL2 });
        quick.Should().Be(probe.Accuracy(certifierTest, tensor(Harmful(test))));
    }

    private sealed record Outcome(double Before, double After, double Moved, IReadOnlyList<string> Targets,
        IReadOnlyList<string> CertificationTargets, double AdapterDifference);

    /// <summary>Training's simulated attacker with (<see cref="Rank"/>, <see cref="Alpha"/>, <see cref="AdapterSeed"/>)
    /// against the certifier's LoRA attack with <paramref name="certification"/> and <paramref name="certificationSeed"/>,
    /// each on its own copy of one encoder; logits on a held-out batch, largest absolute difference.</summary>
    private static Outcome RunBoth(LoraSettings certification, ulong certificationSeed)
    {
        var examples = TinySetup.Examples(seed: 4, size: 12);
        var evaluation = LabeledBatch.Collate(TinySetup.Examples(seed: 5, size: 6), Config.PadTokenId);
        using var head0 = ClassifierHead.Initial(2, Config.HiddenSize, Config.InitializerRange, new Generator(6, CPU), ScalarType.Float32, CPU);

        // Training: the inner batches are the ones the certifier's sampler draws, in its order.
        var sampler = new BatchSampler(examples.Count, BatchSize, BatchSeed);
        var inner = Enumerable.Range(0, Steps).Select(_ => LabeledBatch.Collate(sampler.Next().Select(i => examples[i]).ToList(), Config.PadTokenId)).ToList();
        using var state = new MlacModelState(EncoderWeights.RandomInit(Config, seed: 3), zeros([3, Config.HiddenSize]), head0.clone(), tensor(0.05f));
        var plan = new RolloutPlan(evaluation, inner, inner.Select(_ => false).ToList(), new LoraRollout(Rank, Alpha, LearningRate, AdapterSeed));
        var attacker = new SimulatedAttacker(state, plan, new MlacObjectiveOptions { InnerOptimizer = InnerOptimizerKind.Adam, InnerClipNorm = ClipNorm });
        var layout = (LoraFastWeights)attacker.Layout;
        var prepared = layout.Prepare(evaluation);
        Tensor TrainingLogits(IReadOnlyList<Tensor> phi)
        {
            using var output = layout.Forward(phi, prepared);
            return ClassifierHead.Logits(output.PooledOutput, phi[layout.HeadIndex]).detach();
        }
        var phi = attacker.Start(state, state.AttackerHead);
        var trainingBefore = TrainingLogits(phi);
        for (var k = 0; k < Steps; k++) (phi, _) = attacker.Step(phi, k, state.AttackerHead, firstOrder: false);
        var trainingAfter = TrainingLogits(phi);

        // Certification: its own copy of the same encoder, never trained.
        using var weights = EncoderWeights.RandomInit(Config, seed: 3);
        using var lora = new LoraEncoder(Config, weights.Tensors, certification, certificationSeed);
        using var head = new Parameter(head0.clone(), requires_grad: true);
        var (ids, mask, types) = evaluation.Tokens.ToTensors(CPU);
        Tensor CertificationLogits()
        {
            using var noGrad = no_grad();
            return ClassifierHead.Logits(BertEncoder.Forward(Config, lora.Map(), ids, mask, types).PooledOutput, head);
        }
        var certificationBefore = CertificationLogits();
        var settings = new FineTuneSettings(OptimizerKind.Adam, LearningRate, ScheduleKind.Constant, 0, BatchSize, Steps, 0, ClipNorm);
        TrainingLoop.Run(Config, lora, head, examples, e => e.Harmful, settings, Steps, BatchSeed, CPU, int.MaxValue, null, CancellationToken.None);
        var certificationAfter = CertificationLogits();

        var adapterDifference = double.NaN;
        if (lora.Adapters.Count == layout.Targets.Count && lora.Adapters[0].A.shape[0] == Rank)
        {
            adapterDifference = lora.Adapters.Select((x, i) => Math.Max(MaxDifference(phi[2 * i], x.A), MaxDifference(phi[2 * i + 1], x.B))).Max();
        }
        return new Outcome(MaxDifference(trainingBefore, certificationBefore), MaxDifference(trainingAfter, certificationAfter),
            MaxDifference(trainingBefore, trainingAfter), layout.Targets, lora.Adapters.Select(x => x.Name).ToList(), adapterDifference);
    }

    private static double MaxDifference(Tensor a, Tensor b) => (a.detach() - b.detach()).abs().max().item<float>();
}
