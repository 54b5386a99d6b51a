using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Metrics;

/// <summary>An attack's result against one target at one data size, over the seed reruns of the attacker's chosen
/// configuration.</summary>
/// <param name="Accuracy">Test accuracy at the best tuning checkpoint: the certified number.</param>
/// <param name="Auroc">Test AUROC there (binary harmful tasks).</param>
/// <param name="FinalAccuracy">Test accuracy after the last step (no early stopping).</param>
/// <param name="BestTuneAccuracy">The paper's generous "best during training" score, on the tuning split.</param>
public sealed record TargetScore(TargetRole Target, SeedStatistics Accuracy, SeedStatistics? Auroc, SeedStatistics FinalAccuracy, SeedStatistics BestTuneAccuracy);
