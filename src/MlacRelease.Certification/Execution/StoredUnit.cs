using MlacRelease.Certification.Search;

namespace MlacRelease.Certification.Execution;

/// <summary>A finished unit as written under units/: the attack result or the retention result.</summary>
public sealed record StoredUnit(string Identity, string Unit, AttackUnitResult? Attack, RetentionResult? Retention);
