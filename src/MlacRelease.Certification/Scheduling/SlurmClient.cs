using System.Diagnostics;

namespace MlacRelease.Certification.Scheduling;

/// <summary>
/// The few Slurm commands a campaign needs (sbatch, squeue, scancel), run as processes with arguments passed as a
/// list (never through a shell). Works with accounting disabled: job states come from squeue while jobs are known to
/// the controller, and outcomes from the shard folders themselves.
/// </summary>
public sealed class SlurmClient(string? binDirectory = null) : ISlurmClient
{
    /// <summary>Submits a script; returns the job id (sbatch --parsable prints "id" or "id;cluster").</summary>
    public string Submit(IReadOnlyList<string> sbatchArguments)
    {
        var output = Run("sbatch", sbatchArguments).Trim();
        var id = output.Split(';')[0].Trim();
        if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new SlurmException($"sbatch printed '{output}', expected a job id");
        return id;
    }

    /// <summary>The jobs (array tasks one per line, as "123_4") that the controller still lists, with their states.</summary>
    public IReadOnlyList<SlurmJobState> Queue(IEnumerable<string> jobIds)
    {
        var ids = jobIds.ToList();
        if (ids.Count == 0) return [];
        string output;
        try
        {
            output = Run("squeue", ["--noheader", "--array", "--jobs=" + string.Join(',', ids), "--format=%i|%T|%r"]);
        }
        catch (SlurmException e) when (e.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            return []; // every job has left the controller's memory
        }
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Where(parts => parts.Length >= 2)
            .Select(parts => new SlurmJobState(parts[0], parts[1], parts.Length > 2 ? parts[2] : ""))
            .ToList();
    }

    public void Cancel(string jobId) => Run("scancel", [jobId]);

    /// <summary>True when sbatch and squeue are on PATH (or in the configured folder).</summary>
    public bool IsAvailable() => Locate("sbatch") is not null && Locate("squeue") is not null;

    private string Run(string tool, IReadOnlyList<string> arguments)
    {
        var path = Locate(tool) ?? throw new SlurmException($"{tool} not found on PATH: is this a Slurm login node? (install slurm-client, or use --dry-run to only write the scripts)");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new SlurmException($"could not start {path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new SlurmException($"{tool} did not answer within 2 minutes: is slurmctld up?");
        }
        if (process.ExitCode != 0)
            throw new SlurmException($"{tool} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}".TrimEnd());
        return stdout.Result;
    }

    private string? Locate(string tool)
    {
        var folders = binDirectory is not null ? [binDirectory] : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return folders.Select(f => Path.Combine(f, tool)).FirstOrDefault(File.Exists);
    }
}

/// <summary>One line of squeue: "123_4", "RUNNING", "None".</summary>
public sealed record SlurmJobState(string Id, string State, string Reason)
{
    /// <summary>The array task index of "123_4", or null for a plain job or a pending array line such as "123_[5-8]".</summary>
    public int? ArrayIndex => Id.Split('_') is [_, var index] && int.TryParse(index, out var i) ? i : null;

    /// <summary>The job id without the array index.</summary>
    public string JobId => Id.Split('_')[0];
}

/// <summary>A Slurm command failed or answered something unexpected; the message holds what it printed.</summary>
public sealed class SlurmException(string message) : Exception(message);
