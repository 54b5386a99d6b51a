namespace MlacRelease.Gate;

/// <summary>The gate's outcome: it passes only when every check ran and held.</summary>
public sealed record GateResult(IReadOnlyList<GateCheck> Checks)
{
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);

    public IEnumerable<GateCheck> Failures => Checks.Where(c => !c.Passed);
}
