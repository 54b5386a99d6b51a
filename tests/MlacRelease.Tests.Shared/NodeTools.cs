using System.Diagnostics;

namespace MlacRelease.Tests.Shared;

/// <summary>
/// Node and npm for the tests that check our files with independent JavaScript consumers (the Sigstore verifier,
/// transformers.js); linked into the test projects that run one. Such a test is skipped, with the reason, only where
/// node or npm is not installed; a missing package install is a failure, so that CI notices.
/// </summary>
public static class NodeTools
{
    /// <summary>Why node tests cannot run here, or null when node and npm are both on PATH.</summary>
    public static string? WhyNot()
    {
        var missing = new[] { "node", "npm" }.Where(t => Locate(t) is null).ToList();
        return missing.Count > 0 ? $"{string.Join(" and ", missing)} not on PATH (install Node.js 20.17 or later)" : null;
    }

    public static string? Locate(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(f => Path.Combine(f, tool)).FirstOrDefault(File.Exists);

    /// <summary>The folder an npm package set is installed in: $<paramref name="variable"/>, or ~/.cache/mlac-npm/<paramref name="defaultName"/>.</summary>
    public static string PackageFolder(string variable, string defaultName) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } folder ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlac-npm", defaultName);

    /// <summary>Runs node with <paramref name="arguments"/>; returns the exit code and stdout + stderr.</summary>
    public static (int ExitCode, string Output) Run(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Locate("node") ?? throw new InvalidOperationException("node is not on PATH"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {Path.GetFileName(arguments.FirstOrDefault() ?? "")} ran past {timeout.TotalSeconds:F0} s");
        }
        return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }
}
