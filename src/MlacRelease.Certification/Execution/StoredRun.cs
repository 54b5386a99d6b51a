using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Execution;

/// <summary>One finished fine-tuning run as written under runs/: enough to recognise it on resume and reuse it.</summary>
public sealed record StoredRun(string Identity, string Unit, string Run, AttackConfig Config, ulong Seed, int? Steps, AttackRunResult Result);
