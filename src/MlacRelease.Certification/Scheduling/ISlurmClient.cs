namespace MlacRelease.Certification.Scheduling;

/// <summary>The Slurm commands a campaign runs (<see cref="SlurmClient"/>); a seam so the campaign logic is testable
/// without a cluster.</summary>
public interface ISlurmClient
{
    /// <summary>Submits a script with these sbatch arguments; returns the job id.</summary>
    string Submit(IReadOnlyList<string> sbatchArguments);

    /// <summary>The jobs among <paramref name="jobIds"/> that the controller still lists (array tasks one per line).</summary>
    IReadOnlyList<SlurmJobState> Queue(IEnumerable<string> jobIds);

    void Cancel(string jobId);
}
