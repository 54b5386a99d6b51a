namespace MlacRelease.Certification.Certificates;

/// <summary>The attacker's search budget, stated: the method, its settings, and the fine-tuning runs it amounts to.</summary>
/// <param name="RunsPerTarget">Runs (search and seed reruns, all attacks and sizes) against one target.</param>
/// <param name="TotalRuns">Runs against all three targets, retention runs excluded.</param>
public sealed record SearchDescription(string Method, int Trials, int Eta, int Rungs, int Seeds, int RunsPerTarget, int TotalRuns);
