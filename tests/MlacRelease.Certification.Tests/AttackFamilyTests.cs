using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Data;
using Xunit.Abstractions;

namespace MlacRelease.Certification.Tests;

/// <summary>
/// Every attack family really trains: with the same small budget it learns the planted harmful cue from the
/// "pretrained" encoder (which makes it easy) to at least 90 %, and clearly less from the random-init twin.
/// Re-initialisation gets 40 steps instead of 15: it has to relearn the top layer first, and at 15 it reached 58 % on
/// an AMD EPYC (AVX2) machine where the tiny world pretrains to other numbers than on the machines this was written on.
/// </summary>
[Collection(TinyWorldCollection.Name)]
public sealed class AttackFamilyTests(TinyWorld world, ITestOutputHelper output)
{
    private static readonly FineTuneSettings Training = new(OptimizerKind.Adam, 3e-3, ScheduleKind.Constant, 0.1, 8, 15, 0, 1.0);

    public static TheoryData<AttackFamily> Families => new(Enum.GetValues<AttackFamily>());

    private static AttackConfig Config(AttackFamily family) => family switch
    {
        AttackFamily.LinearProbe => new AttackConfig { Family = family, ProbeL2 = 1e-2 },
        AttackFamily.Lora => new AttackConfig { Family = family, Training = Training with { LearningRate = 1e-2 }, Lora = new LoraSettings(4, 8, LoraTargets.All) },
        AttackFamily.ReinitTopLayers => new AttackConfig { Family = family, Training = Training with { Steps = 40 }, ReinitLayers = 1 },
        AttackFamily.BenignThenHarmful => new AttackConfig
        {
            Family = family, Training = Training,
            Benign = new BenignPhase(new FineTuneSettings(OptimizerKind.AdamW, 1e-3, ScheduleKind.LinearWarmup, 0.1, 8, 10, 0, 1.0), 64),
        },
        _ => new AttackConfig { Family = family, Training = Training },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Learns_the_task_from_the_pretrained_encoder_and_more_slowly_from_random_init(AttackFamily family)
    {
        using var context = world.Context();
        var runner = new AttackRunner(context);
        using var pretrained = world.Target(TargetRole.Pretrained, world.Pretrained);
        using var random = world.Target(TargetRole.RandomInit, world.RandomTwinSource);
        var data = AttackerSample.Indices(context.AttackerTrain, 16, seed: 1);

        var onPretrained = runner.Run(pretrained, Config(family), data, seed: 1);
        var onRandom = runner.Run(random, Config(family), data, seed: 1);
        output.WriteLine($"{family}: pretrained {onPretrained.TestAccuracy:F3} (curve {string.Join(",", onPretrained.Curve.Select(c => c.TuneAccuracy.ToString("F2")))}), random {onRandom.TestAccuracy:F3} (curve {string.Join(",", onRandom.Curve.Select(c => c.TuneAccuracy.ToString("F2")))})");

        onPretrained.TestAccuracy.Should().BeGreaterThanOrEqualTo(0.9);
        onRandom.TestAccuracy.Should().BeLessThanOrEqualTo(onPretrained.TestAccuracy!.Value - 0.15);
        onPretrained.TrainExamples.Should().Be(16);
    }
}
