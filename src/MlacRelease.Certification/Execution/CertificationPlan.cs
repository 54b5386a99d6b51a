using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Execution;

/// <summary>What a certification (or one shard of it) would run, without running it.</summary>
/// <param name="Identity">The certification's identity (the same for every shard).</param>
/// <param name="Units">This shard's units, in plan order.</param>
/// <param name="CachedUnits">Reference-arm units among them that the baseline cache already holds.</param>
/// <param name="Rows">Units, runs and estimated token passes per attack family (or "retention") and target.</param>
public sealed record CertificationPlan(string Identity, ShardSpec Shard, int TotalUnits, IReadOnlyList<WorkUnit> Units, int CachedUnits,
    IReadOnlyList<CertificationPlanRow> Rows)
{
    public int Runs => Rows.Sum(r => r.Runs);

    public double TokenPasses => Rows.Sum(r => r.TokenPasses);
}

/// <param name="TokenPasses">The cost model's estimate (forward = 1, forward + backward = 3 per token).</param>
public sealed record CertificationPlanRow(string Family, TargetRole Target, int Units, int Runs, double TokenPasses);
