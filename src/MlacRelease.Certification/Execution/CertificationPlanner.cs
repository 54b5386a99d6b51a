using System.Text.Json;
using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Prepares a certification exactly as a run does (every input check, the battery against the data, the identity)
/// and reports its plan instead of running it: what <c>mlac certify --plan</c> prints.
/// </summary>
public static class CertificationPlanner
{
    public static CertificationPlan Plan(CertificationRequest request, ShardSpec? shard = null)
    {
        shard ??= ShardSpec.Whole;
        using var threads = new TorchThreads(request.ThreadsPerWorker);
        using var gc = new BlockingGarbageCollection();
        using var session = CertificationSession.Create(request);
        var mine = ShardAssignment.Select(session.Units, shard);
        var cached = session.Cache is { } cache
            ? mine.Count(u => u.Target != TargetRole.Model && cache.TryLoad(session.BaselineKeys[u.Target].Inputs, session.BaselineKeys[u.Target].Key, u, session.Identity) is not null)
            : 0;
        var rows = mine
            .GroupBy(u => (Family: FamilyName(u), u.Target))
            .Select(g => new CertificationPlanRow(g.Key.Family, g.Key.Target, g.Count(), g.Sum(u => u.Runs), g.Sum(u => u.Cost)))
            .OrderBy(r => r.Target).ThenBy(r => r.Family, StringComparer.Ordinal)
            .ToList();
        return new CertificationPlan(session.Identity, shard, session.Units.Count, mine, cached, rows);
    }

    /// <summary>The family as batteries spell it (e.g. "full_fine_tune"), or "retention".</summary>
    public static string FamilyName(WorkUnit unit) =>
        unit.Attack is { } attack ? JsonNamingPolicy.SnakeCaseLower.ConvertName(attack.Family.ToString()) : "retention";
}
