using System.Diagnostics;

namespace MlacRelease.Distributed.Tests;

/// <summary>Runs the real tool (mlac.dll beside the tests) and shell tools, capturing what they print.</summary>
public static class Processes
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string MlacDll => Path.Combine(AppContext.BaseDirectory, "mlac.dll");

    public static (int Code, string Output) Mlac(string workingDirectory, TimeSpan limit, params string[] arguments) =>
        Run("dotnet", [MlacDll, .. arguments], workingDirectory, limit);

    public static Process StartMlac(string workingDirectory, string logPath, params string[] arguments)
    {
        var start = Info("/bin/bash", ["-c", "exec \"$@\" > " + Quote(logPath) + " 2>&1", "mlac", "dotnet", MlacDll, .. arguments], workingDirectory);
        start.RedirectStandardOutput = false;
        start.RedirectStandardError = false;
        return Process.Start(start)!;
    }

    public static (int Code, string Output) Run(string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan limit)
    {
        using var process = Process.Start(Info(program, arguments, workingDirectory))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran past {limit}: {stdout.Result}{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static ProcessStartInfo Info(string program, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["TERM"] = "dumb";
        return start;
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlacRelease.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no MlacRelease.sln above {AppContext.BaseDirectory}");
    }
}
