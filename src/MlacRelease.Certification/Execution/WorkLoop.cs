using MlacRelease.Common.IO;

namespace MlacRelease.Certification.Execution;

/// <summary>The loop every worker runs (the parent included): units largest first, each claimed before it runs and
/// skipped when finished or claimed by another worker.</summary>
internal sealed class WorkLoop(CertificationSession session, ResultStore store, ProgressTracker tracker)
{
    private const string IdentityFile = "identity.txt";

    private readonly UnitExecutor _executor = new(session, store, tracker.Run);

    public void RunClaimed(IReadOnlyList<WorkUnit> units, CancellationToken cancellation)
    {
        var claims = new UnitClaims(store.Folder);
        foreach (var (unit, _) in ShardAssignment.LargestFirst(units))
        {
            cancellation.ThrowIfCancellationRequested();
            if (store.HasUnit(unit) || !claims.TryClaim(unit)) continue;
            _executor.Execute(unit, cancellation);
        }
    }

    /// <summary>Runs whatever has no result yet, claimed or not (after the workers have ended).</summary>
    public void RunRemaining(IReadOnlyList<WorkUnit> units, CancellationToken cancellation)
    {
        foreach (var (unit, _) in ShardAssignment.LargestFirst(units))
        {
            cancellation.ThrowIfCancellationRequested();
            if (!store.HasUnit(unit)) _executor.Execute(unit, cancellation);
        }
    }

    public static void WriteIdentity(string folder, string identity) => AtomicFile.WriteAllText(Path.Combine(folder, IdentityFile), identity);

    public static string? ReadIdentity(string folder)
    {
        var path = Path.Combine(folder, IdentityFile);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }
}
