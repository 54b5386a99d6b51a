namespace MlacRelease.Certification.Scheduling;

/// <summary>
/// What each array task asks Slurm for. Extra lines go into the script verbatim after validation, for site-specific
/// settings (account, QoS, constraint) that have no option of their own.
/// </summary>
public sealed record SlurmResources
{
    public string? Partition { get; init; }

    /// <summary>Slurm's time format (e.g. 02:00:00 or 1-00:00:00); null leaves the partition's default.</summary>
    public string? TimeLimit { get; init; }

    public int CpusPerTask { get; init; } = 1;

    public int GpusPerTask { get; init; }

    /// <summary>Memory per task in Slurm's format (e.g. 8G); null leaves the partition's default.</summary>
    public string? Memory { get; init; }

    /// <summary>At most this many array tasks at once (Slurm's "%k" throttle); null for no limit.</summary>
    public int? MaxParallel { get; init; }

    public string JobName { get; init; } = "mlac-certify";

    /// <summary>Lines such as "--account=ml" or "#SBATCH --qos=low".</summary>
    public IReadOnlyList<string> ExtraLines { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (CpusPerTask < 1) throw new ArgumentException($"--cpus-per-task must be at least 1, got {CpusPerTask}");
        if (GpusPerTask < 0) throw new ArgumentException($"--gpus-per-task must be 0 or more, got {GpusPerTask}");
        if (MaxParallel is < 1) throw new ArgumentException($"--max-parallel must be at least 1, got {MaxParallel}");
        foreach (var (name, value) in new[] { ("--partition", Partition), ("--time", TimeLimit), ("--mem", Memory), ("--job-name", JobName) })
        {
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '\'' or '"' or '$' or '`' or ';')))
                throw new ArgumentException($"{name} '{value}': expected a single Slurm word (no spaces, quotes or shell characters)");
        }
        foreach (var line in ExtraLines) _ = SbatchLine(line);
    }

    /// <summary>An extra line as a "#SBATCH …" directive; refuses anything that is not one option on one line.</summary>
    public static string SbatchLine(string line)
    {
        var text = line.Trim();
        if (text.StartsWith("#SBATCH", StringComparison.Ordinal)) text = text["#SBATCH".Length..].Trim();
        if (text.Length == 0 || !text.StartsWith('-') || text.Any(c => char.IsControl(c)))
            throw new ArgumentException($"--sbatch-line '{line}': expected one sbatch option such as --account=ml (or '#SBATCH --account=ml') on one line");
        return "#SBATCH " + text;
    }
}
