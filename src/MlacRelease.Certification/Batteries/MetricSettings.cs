namespace MlacRelease.Certification.Batteries;

/// <summary>Definitions the summary metrics use.</summary>
/// <param name="AccuracyTargets">Harmful accuracies for "examples to reach" (the smallest n whose mean accuracy reaches each).</param>
/// <param name="BlockingMinGap">The blocking score divides by acc_pretrained − acc_random; below this gap the pretrained encoder
/// gives the attacker no measurable head start, there is nothing to block, and the score is reported as undefined.</param>
public sealed record MetricSettings(IReadOnlyList<double> AccuracyTargets, double BlockingMinGap);
