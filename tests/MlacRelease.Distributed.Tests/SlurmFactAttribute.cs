namespace MlacRelease.Distributed.Tests;

/// <summary>
/// A test that needs a real Slurm cluster started on this machine. Where one cannot run, the test is reported as
/// skipped with the reason (never silently passed): it needs Linux, root (munged, slurmctld and slurmd run as root
/// here) and Debian's slurm-wlm and munge, which .ci/run installs.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (WhyNot() is { } reason) Skip = "Slurm integration test skipped: " + reason;
    }

    public static string? WhyNot()
    {
        if (Environment.GetEnvironmentVariable("MLAC_SKIP_SLURM") == "1") return "MLAC_SKIP_SLURM=1 is set";
        if (!OperatingSystem.IsLinux()) return "the local cluster script runs on Linux only";
        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal) && !IsUidZero())
            return "starting munged, slurmctld and slurmd needs root (CI runs as root)";
        var missing = new[] { "slurmctld", "slurmd", "munged", "sbatch", "squeue", "scancel", "sinfo" }.Where(t => Locate(t) is null).ToList();
        return missing.Count > 0
            ? $"{string.Join(", ", missing)} not installed (apt-get install slurm-wlm munge; .ci/run installs them)"
            : null;
    }

    public static string? Locate(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(["/usr/sbin", "/sbin", "/usr/bin"]).Select(f => Path.Combine(f, tool)).FirstOrDefault(File.Exists);

    private static bool IsUidZero()
    {
        try
        {
            return File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
