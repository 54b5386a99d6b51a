using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Search;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Runs one unit: for an attack, the successive-halving search and the seed reruns of the chosen configuration;
/// for retention, the desired-task probe and fine-tune. Every run is looked up in the store first and saved as
/// soon as it finishes.
/// </summary>
internal sealed class UnitExecutor(CertificationSession session, ResultStore store, Action<RunEvent> onRun)
{
    private readonly RunTimingLog _timings = new(store.Folder);

    /// <summary>Benign phases restored from an earlier run instead of recomputed, over the units executed.</summary>
    public int RestoredBenignPhases { get; private set; }

    /// <summary>The most benign phases one unit held at once.</summary>
    public int PeakBenignPhasesHeld { get; private set; }

    public StoredUnit Execute(WorkUnit unit, CancellationToken cancellation)
    {
        if (store.TryLoadUnit(unit) is { } done)
        {
            if (done.Attack?.ScoringProblem() is { } problem)
                throw new MlacInputException($"{store.UnitPath(unit)}: {problem}; use a fresh output folder");
            return done;
        }
        var result = unit.Kind == UnitKind.Retention
            ? new StoredUnit(session.Identity, unit.Id, null, Retention(unit, cancellation))
            : new StoredUnit(session.Identity, unit.Id, Attack(unit, cancellation), null);
        store.SaveUnit(result, unit);
        session.Remember(unit, result);
        return result;
    }

    private RetentionResult Retention(WorkUnit unit, CancellationToken cancellation)
    {
        var settings = session.Battery.Retention;
        var (probe, fineTune) = _timings.Measure(unit, "retention", () => session.Runner.RunRetention(session.Target(unit.Target), settings.ProbeL2,
            settings.FineTune, settings.TrainExamples, RetentionSeed(session.Battery), cancellation));
        onRun(new RunEvent(unit, "retention", false));
        return new RetentionResult(unit.Target, settings.TrainExamples, probe, fineTune);
    }

    private AttackUnitResult Attack(WorkUnit unit, CancellationToken cancellation)
    {
        var battery = session.Battery;
        var attack = unit.Attack!;
        var size = unit.DataSize!;
        var train = session.AttackContext.AttackerTrain;
        var n = size.Resolve(train.Count);
        var target = session.Target(unit.Target);

        // The same sampled configurations and the same search data for all three targets: the attacker searches
        // each target separately, but from the same candidates, so differences are the targets', not the draws'.
        var configs = Enumerable.Range(0, battery.Search.Trials).Select(i => TrialConfig(battery, attack, size, i)).ToList();
        var searchSeed = SearchSeed(battery);
        var searchData = AttackerSample.Indices(train, n, searchSeed);

        var runs = configs.Select(_ => new List<SearchRun>()).ToList();
        var survivors = Enumerable.Range(0, configs.Count).ToList();
        var rungs = SuccessiveHalving.Plan(battery.Search, attack.IsBudgeted);
        using var benign = new BenignPhaseCache();
        foreach (var rung in rungs)
        {
            survivors = survivors.Take(rung.Configurations).ToList();
            var promoted = rung.Index + 1 < rungs.Count ? rungs[rung.Index + 1].Configurations : 0;
            var done = new List<int>();
            foreach (var trial in survivors)
            {
                var config = configs[trial];
                int? steps = attack.IsBudgeted ? SuccessiveHalving.StepsAt(rung, config.Training!.Steps) : null;
                var result = RunOnce(unit, $"search-r{rung.Index}-t{trial:D3}", config, searchData, searchSeed, steps, benign, cancellation);
                runs[trial].Add(new SearchRun(rung.Index, steps ?? 0, result));
                done.Add(trial);
                // A trial outside the best `promoted` of those run so far can never be promoted, so its benign phase is
                // dropped at once: the cache holds at most promoted + 1 encoders.
                benign.RetainOnly(Ranked(done, runs).Take(promoted).Concat(survivors.Except(done))
                    .Select(t => configs[t].Benign).OfType<BenignPhase>());
            }
            survivors = Ranked(survivors, runs);
        }
        RestoredBenignPhases += benign.Hits;
        PeakBenignPhasesHeld = Math.Max(PeakBenignPhasesHeld, benign.PeakCount);
        var best = survivors[0];
        var bestConfig = configs[best];

        var seedRuns = new List<SeedRun>();
        foreach (var seed in battery.Seeds)
        {
            var data = AttackerSample.Indices(train, n, seed);
            seedRuns.Add(new SeedRun(seed, RunOnce(unit, $"seed-{seed}", bestConfig, data, seed, null, null, cancellation)));
        }
        var trials = configs.Select((c, i) => new SearchTrial(i, c, runs[i])).ToList();
        return new AttackUnitResult(attack.Name, attack.Family, unit.Target, size, n, trials, best, bestConfig, seedRuns);
    }

    /// <summary>Best tuning score first; earlier trial on ties. Only the attacker's view (tuning split) decides.</summary>
    private static List<int> Ranked(IEnumerable<int> trials, IReadOnlyList<List<SearchRun>> runs) =>
        trials.OrderByDescending(t => runs[t][^1].Result.BestTuneAccuracy).ThenBy(t => t).ToList();

    /// <summary>The configuration of search trial <paramref name="trial"/> of an attack at one data size: the same for
    /// every target.</summary>
    internal static AttackConfig TrialConfig(Battery battery, AttackSpace attack, AttackerDataSize size, int trial) =>
        attack.Sample(new DeterministicRandom(DeterministicRandom.DeriveSeed(battery.Seed, $"trial/{attack.Name}/{size.Label}/{trial}")));

    /// <summary>The seed of every search run (its data sample and its random choices); seed reruns use their own.</summary>
    internal static ulong SearchSeed(Battery battery) => DeterministicRandom.DeriveSeed(battery.Seed, "search");

    /// <summary>The seed of the retention unit's probe and fine-tune.</summary>
    internal static ulong RetentionSeed(Battery battery) => DeterministicRandom.DeriveSeed(battery.Seed, "retention");

    /// <param name="benign">The unit's benign-phase cache for a search run; null for a seed rerun, which is scored on
    /// the test split.</param>
    private AttackRunResult RunOnce(WorkUnit unit, string name, AttackConfig config, IReadOnlyList<int> data, ulong seed, int? steps,
        BenignPhaseCache? benign, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var search = benign is not null;
        if (store.TryLoadRun(unit, name, config, seed, steps) is { } stored)
        {
            if (stored.HasTestScores() == search)
                throw new MlacInputException($"{store.RunPath(unit, name)}: {(search ? "a search run with test scores" : "a seed run without test scores")}, " +
                                             "written by another version of the attack code; use a fresh output folder");
            onRun(new RunEvent(unit, name, true));
            return stored;
        }
        var target = session.Target(unit.Target);
        var result = _timings.Measure(unit, name, () => search
            ? session.Runner.Search(target, config, data, seed, steps, benign, cancellation)
            : session.Runner.Run(target, config, data, seed, steps, cancellation));
        store.SaveRun(unit, name, config, seed, steps, result);
        onRun(new RunEvent(unit, name, false));
        return result;
    }
}
