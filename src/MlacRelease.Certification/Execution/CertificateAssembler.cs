using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Policies;
using MlacRelease.Certification.Search;
using MlacRelease.Certification.Metrics;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Builds the certificate from a context and the unit results. The single path both a whole run and a merge of
/// shards take, with results put in canonical unit order first, which is why the two give identical bytes.
/// </summary>
public static class CertificateAssembler
{
    public static Certificate Assemble(CertificationContext context, IReadOnlyList<WorkUnit> plan, IReadOnlyDictionary<string, StoredUnit> results)
    {
        var missing = plan.Where(u => !results.ContainsKey(u.Id)).Select(u => u.Id).ToList();
        if (missing.Count > 0) throw new MlacInputException($"results are missing for {missing.Count} unit(s): {string.Join(", ", missing.Take(10))}");
        var attacks = plan.Where(u => u.Kind == UnitKind.Attack).Select(u => results[u.Id].Attack
            ?? throw new MlacInputException($"unit {u.Id} holds no attack result")).ToList();
        var retention = plan.Where(u => u.Kind == UnitKind.Retention).Select(u => results[u.Id].Retention
            ?? throw new MlacInputException($"unit {u.Id} holds no retention result")).ToList();
        return Build(context, attacks, retention) with { Provenance = Provenance(context, plan, results) };
    }

    /// <summary>Per reference arm: its cache key and how many of its units came from the baseline cache. A unit read
    /// from the cache under another key than the context gives is refused: it would be another arm's result.</summary>
    public static BaselineProvenance Provenance(CertificationContext context, IReadOnlyList<WorkUnit> plan, IReadOnlyDictionary<string, StoredUnit> results)
    {
        var arms = new List<BaselineArm>();
        foreach (var role in new[] { TargetRole.Pretrained, TargetRole.RandomInit })
        {
            var key = BaselineKeyInputs.Of(context, role, AttackCodeVersion.Current).Key();
            var units = plan.Where(u => u.Target == role).Select(u => (u.Id, results[u.Id].BaselineCacheKey)).ToList();
            foreach (var (id, found) in units)
            {
                if (found is not null && found != key)
                    throw new MlacInputException($"unit {id} was read from the baseline cache under key {found}, but this certification's key is {key}");
            }
            var fromCache = units.Count(u => u.BaselineCacheKey is not null);
            arms.Add(new BaselineArm(role, key, BaselineArm.SourceOf(fromCache, units.Count - fromCache), fromCache, units.Count - fromCache));
        }
        return new BaselineProvenance(AttackCodeVersion.Current, arms);
    }

    /// <summary>Summary, worst case and verdict from the results (what a verifier recomputes), then sealed.</summary>
    public static Certificate Build(CertificationContext context, IReadOnlyList<AttackUnitResult> attacks, IReadOnlyList<RetentionResult> retention)
    {
        var battery = context.Battery.Content;
        var (summary, worst) = SummaryCalculator.Compute(battery, attacks, retention);
        var verdict = context.Policy is { } policy ? PolicyEvaluator.Evaluate(policy, battery, context.Battery.Digest, summary, worst, context.Data, context.References) : null;
        var perTarget = battery.Attacks.Sum(a => UnitPlanner.RunsPerUnit(battery, a)) * battery.DataSizes.Count;
        var search = new SearchDescription(Batteries.SearchSettings.Method, battery.Search.Trials, battery.Search.Eta, battery.Search.Rungs,
            battery.Seeds.Count, perTarget, perTarget * 3);
        return CertificateSerializer.Seal(new Certificate
        {
            Schema = Certificate.CurrentSchema,
            Context = context,
            Identity = context.Identity(),
            Search = search,
            Attacks = attacks,
            Retention = retention,
            Summary = summary,
            WorstCase = worst,
            Verdict = verdict,
            Integrity = null,
        });
    }
}
