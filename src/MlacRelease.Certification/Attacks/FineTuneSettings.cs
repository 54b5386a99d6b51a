namespace MlacRelease.Certification.Attacks;

/// <summary>How one fine-tuning phase runs: an attack's harmful-task or benign phase, or the retention check's
/// desired-task fine-tuning (optimiser, learning rate and schedule, batch, steps, weight decay, clipping).</summary>
/// <param name="Optimizer">The torch.optim optimiser.</param>
/// <param name="LearningRate">Base (peak) learning rate.</param>
/// <param name="Schedule">How the rate moves over the run.</param>
/// <param name="WarmupFraction">Share of the steps spent warming up (warm-up schedules only).</param>
/// <param name="BatchSize">Examples per step (capped at the number of examples available).</param>
/// <param name="Steps">Optimiser steps.</param>
/// <param name="WeightDecay">L2 (Adam, SGD, Adagrad, Adadelta) or decoupled (AdamW) weight decay.</param>
/// <param name="MaxGradNorm">Global gradient-norm clipping; null for none.</param>
public sealed record FineTuneSettings(
    OptimizerKind Optimizer,
    double LearningRate,
    ScheduleKind Schedule,
    double WarmupFraction,
    int BatchSize,
    int Steps,
    double WeightDecay,
    double? MaxGradNorm);
