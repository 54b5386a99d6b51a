namespace MlacRelease.Distributed.Tests;

/// <summary>
/// A real single-node Slurm cluster (munged, slurmctld, slurmd) started by release-checks/distributed/local-slurm-cluster.sh
/// for the tests, and stopped after them: the script stops exactly the daemons it started.
/// </summary>
public sealed class LocalSlurmCluster : IDisposable
{
    private readonly bool _started;

    public LocalSlurmCluster()
    {
        if (SlurmFactAttribute.WhyNot() is not null) return; // the tests are skipped; start nothing
        var (code, output) = Processes.Run("/bin/bash", [Script, "start"], Processes.RepositoryRoot, TimeSpan.FromMinutes(5));
        if (code != 0) throw new InvalidOperationException($"the local Slurm cluster did not start (exit {code}):\n{output}");
        StartLog = output;
        _started = true;
    }

    public static string Script => Path.Combine(Processes.RepositoryRoot, "release-checks", "distributed", "local-slurm-cluster.sh");

    public string StartLog { get; } = "";

    public void Dispose()
    {
        if (_started) Processes.Run("/bin/bash", [Script, "stop"], Processes.RepositoryRoot, TimeSpan.FromMinutes(2));
    }
}
