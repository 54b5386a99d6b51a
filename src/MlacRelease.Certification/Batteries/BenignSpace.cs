using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Batteries;

/// <summary>Search space of the harmless first phase of benign-then-harmful. The phase always uses linear warm-up
/// (10 %) and decay, no weight decay, and the attack's gradient clipping: the ordinary recipe for desired-task
/// fine-tuning, which is what the attacker pretends to do.</summary>
public sealed record BenignSpace(
    int Examples,
    IReadOnlyList<OptimizerKind> Optimizers,
    LogUniformRange LearningRate,
    IReadOnlyList<int> Steps,
    int BatchSize);
