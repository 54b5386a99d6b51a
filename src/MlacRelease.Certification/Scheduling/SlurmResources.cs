using System.Text.RegularExpressions;
using MlacRelease.Common.Errors;
using MlacRelease.Common.Text;

namespace MlacRelease.Certification.Scheduling;

/// <summary>
/// What each array task asks Slurm for. Extra lines go into the script verbatim after validation, for site-specific
/// settings (account, QoS, constraint) that have no option of their own.
/// </summary>
public sealed partial record SlurmResources
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

    /// <summary>Throws <see cref="MlacInputException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (CpusPerTask < 1) throw new MlacInputException($"--cpus-per-task must be at least 1, got {CpusPerTask}");
        if (GpusPerTask < 0) throw new MlacInputException($"--gpus-per-task must be 0 or more, got {GpusPerTask}");
        if (MaxParallel is < 1) throw new MlacInputException($"--max-parallel must be at least 1, got {MaxParallel}");
        foreach (var (name, value) in new[] { ("--partition", Partition), ("--time", TimeLimit), ("--mem", Memory), ("--job-name", JobName) })
        {
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '\'' or '"' or '$' or '`' or ';')))
                throw new MlacInputException($"{name} '{value}': expected a single Slurm word (no spaces, quotes or shell characters)");
        }
        foreach (var line in ExtraLines) _ = SbatchLine(line);
    }

    /// <summary>
    /// An extra line as a "#SBATCH …" directive. Exactly one option, as one word: "--name", "--name=value" or "-xvalue"
    /// with no whitespace anywhere, so "--account=a --output=/x" (two options, the second overriding the campaign's
    /// log path) and anything that could end the line are refused.
    /// </summary>
    public static string SbatchLine(string line)
    {
        // Control characters are checked before trimming: a trailing newline is a second line, not padding.
        var text = line.Any(char.IsControl) ? "" : line.Trim();
        if (text.StartsWith("#SBATCH", StringComparison.Ordinal)) text = text["#SBATCH".Length..].TrimStart();
        if (!OneOption().IsMatch(text))
            throw new MlacInputException($"--sbatch-line '{PrintableText.OneLine(line)}': expected exactly one sbatch option as one word, " +
                                         "--name or --name=value with no spaces (e.g. --sbatch-line=--account=ml, or '#SBATCH --account=ml'); " +
                                         "give each option its own --sbatch-line");
        return "#SBATCH " + text;
    }

    [GeneratedRegex(@"^(--[A-Za-z][A-Za-z0-9-]*(=\S+)?|-[A-Za-z]\S*)\z")]
    private static partial Regex OneOption();
}
