using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Certificates;
using MlacRelease.Common.IO;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Finished work on disk, written atomically (write, flush, rename) as it completes: runs/&lt;unit&gt;/&lt;run&gt;.json per
/// fine-tuning run, units/&lt;unit&gt;.json per unit. A crash loses at most the runs in flight; a restart with the
/// same identity reuses everything found. A file of another certification (other identity) or of another
/// configuration is refused, never silently reused.
/// </summary>
public sealed class ResultStore(string folder, string identity)
{
    public string Folder { get; } = Path.GetFullPath(folder);

    public string Identity { get; } = identity;

    public string UnitPath(WorkUnit unit) => Path.Combine(Folder, "units", unit.Slug + ".json");

    public string RunPath(WorkUnit unit, string run) => Path.Combine(Folder, "runs", unit.Slug, run + ".json");

    public bool HasUnit(WorkUnit unit) => File.Exists(UnitPath(unit));

    /// <summary>Finished fine-tuning runs of a unit: all of them once the unit is done (computed, or read from the
    /// baseline cache, which leaves no run files), else its run files on disk.</summary>
    public int FinishedRuns(WorkUnit unit)
    {
        if (HasUnit(unit)) return unit.Runs;
        var runs = Path.Combine(Folder, "runs", unit.Slug);
        return Directory.Exists(runs) ? Directory.EnumerateFiles(runs, "*.json").Count() : 0;
    }

    public StoredUnit? TryLoadUnit(WorkUnit unit)
    {
        var path = UnitPath(unit);
        if (!File.Exists(path)) return null;
        var stored = CanonicalJson.Deserialize<StoredUnit>(File.ReadAllBytes(path), path);
        CheckIdentity(stored.Identity, path);
        if (stored.Unit != unit.Id) throw new MlacInputException($"{path}: holds unit '{stored.Unit}', expected '{unit.Id}'");
        return stored;
    }

    public void SaveUnit(StoredUnit unit, WorkUnit work) => AtomicFile.WriteAllBytes(UnitPath(work), CanonicalJson.Serialize(unit));

    /// <summary>The stored result of a run, or null; refuses a file whose configuration, seed or steps differ.</summary>
    public AttackRunResult? TryLoadRun(WorkUnit unit, string run, AttackConfig config, ulong seed, int? steps)
    {
        var path = RunPath(unit, run);
        if (!File.Exists(path)) return null;
        var stored = CanonicalJson.Deserialize<StoredRun>(File.ReadAllBytes(path), path);
        CheckIdentity(stored.Identity, path);
        if (stored.Unit != unit.Id || stored.Run != run || stored.Seed != seed || stored.Steps != steps
            || !CanonicalJson.Serialize(stored.Config).AsSpan().SequenceEqual(CanonicalJson.Serialize(config)))
            throw new MlacInputException($"{path}: holds a different run than the plan asks for; the folder is inconsistent, use a fresh one");
        return stored.Result;
    }

    public void SaveRun(WorkUnit unit, string run, AttackConfig config, ulong seed, int? steps, AttackRunResult result) =>
        AtomicFile.WriteAllBytes(RunPath(unit, run), CanonicalJson.Serialize(new StoredRun(Identity, unit.Id, run, config, seed, steps, result)));

    private void CheckIdentity(string found, string path)
    {
        if (found != Identity)
            throw new MlacInputException($"{path}: belongs to another certification (identity {found}); this one is {Identity}. Use a fresh output folder.");
    }
}
