namespace MlacRelease.Certification.Attacks;

/// <summary>
/// The version of everything that turns a battery, data and reference weights into attack results: the attacks,
/// the search, the data compaction, the metrics each run records. Part of every baseline cache key, so stored
/// baseline results are reused only by code that would compute the same numbers. The toolkit version is not in the
/// key on purpose: a release that changes only export or the CLI keeps its users' baselines.
/// </summary>
public static class AttackCodeVersion
{
    /// <summary>Bump whenever a change can alter any number an attack or retention unit records. 2: search runs no
    /// longer score the test split (their test fields are null).</summary>
    public const string Current = "mlac.attacks/2";
}
