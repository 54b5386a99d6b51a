using System.Diagnostics;

namespace MlacRelease.Gate.Tests;

/// <summary>Runs the real <c>mlac</c> tool (the CLI's build output beside the tests) and returns its exit code and output.</summary>
internal static class MlacProcess
{
    public static (int Code, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlac.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(120_000).Should().BeTrue("mlac finishes within two minutes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
