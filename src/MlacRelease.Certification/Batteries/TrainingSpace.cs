using MlacRelease.Certification.Attacks;
using MlacRelease.Core.Data;

namespace MlacRelease.Certification.Batteries;

/// <summary>A learning-rate range that replaces the attack's general one for one optimiser (Adadelta, say, works at
/// rates orders of magnitude above Adam's).</summary>
public sealed record OptimizerLearningRate(OptimizerKind Optimizer, LogUniformRange LearningRate);

/// <summary>The search space of a gradient-trained attack phase.</summary>
public sealed record TrainingSpace(
    IReadOnlyList<OptimizerKind> Optimizers,
    LogUniformRange LearningRate,
    IReadOnlyList<OptimizerLearningRate> LearningRateOverrides,
    IReadOnlyList<ScheduleKind> Schedules,
    double WarmupFraction,
    IReadOnlyList<int> BatchSizes,
    IReadOnlyList<int> Steps,
    IReadOnlyList<double> WeightDecays,
    double? MaxGradNorm)
{
    /// <summary>Draws in a fixed order (optimiser, rate, schedule, batch size, steps, weight decay), so a seed always
    /// gives the same configuration.</summary>
    public FineTuneSettings Sample(DeterministicRandom random)
    {
        var optimizer = random.Pick(Optimizers);
        var range = LearningRateOverrides.FirstOrDefault(o => o.Optimizer == optimizer)?.LearningRate ?? LearningRate;
        var learningRate = range.Sample(random);
        var schedule = random.Pick(Schedules);
        var batchSize = random.Pick(BatchSizes);
        var steps = random.Pick(Steps);
        var weightDecay = random.Pick(WeightDecays);
        return new FineTuneSettings(optimizer, learningRate, schedule, WarmupFraction, batchSize, steps, weightDecay, MaxGradNorm);
    }
}
