using MlacRelease.Certification.Attacks;

namespace MlacRelease.Certification.Search;

/// <summary>A search trial trained at one rung: its step budget there and what it achieved.</summary>
public sealed record SearchRun(int Rung, int Steps, AttackRunResult Result);
