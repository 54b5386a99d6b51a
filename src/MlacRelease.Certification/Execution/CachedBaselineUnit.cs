using MlacRelease.Certification.Search;

namespace MlacRelease.Certification.Execution;

/// <summary>A reference arm's unit result as the baseline cache stores it: no certification identity (it serves any
/// model), only the key it is valid for and the unit it is.</summary>
public sealed record CachedBaselineUnit(string Schema, string Key, string Unit, AttackUnitResult? Attack, RetentionResult? Retention)
{
    public const string CurrentSchema = "mlac.baseline-unit/v1";
}
