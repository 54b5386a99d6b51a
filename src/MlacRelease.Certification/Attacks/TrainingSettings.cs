namespace MlacRelease.Certification.Attacks;

/// <summary>How one gradient-trained phase of an attack runs.</summary>
/// <param name="Optimizer">The torch.optim optimiser.</param>
/// <param name="LearningRate">Base (peak) learning rate.</param>
/// <param name="Schedule">How the rate moves over the run.</param>
/// <param name="WarmupFraction">Share of the steps spent warming up (warm-up schedules only).</param>
/// <param name="BatchSize">Examples per step (capped at the number of examples available).</param>
/// <param name="Steps">Optimiser steps.</param>
/// <param name="WeightDecay">L2 (Adam, SGD, Adagrad, Adadelta) or decoupled (AdamW) weight decay.</param>
/// <param name="MaxGradNorm">Global gradient-norm clipping; null for none.</param>
public sealed record TrainingSettings(
    OptimizerKind Optimizer,
    double LearningRate,
    ScheduleKind Schedule,
    double WarmupFraction,
    int BatchSize,
    int Steps,
    double WeightDecay,
    double? MaxGradNorm);
