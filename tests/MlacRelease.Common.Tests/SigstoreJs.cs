using System.Diagnostics;

namespace MlacRelease.Common.Tests;

/// <summary>
/// Runs SigstoreJs/verify-bundle.cjs (copied beside the tests) with the pinned @sigstore packages that .ci/run installs
/// into $MLAC_SIGSTORE_JS, by default ~/.cache/mlac-npm/sigstore-verify@3.1.0 (package.json and package-lock.json
/// in this project's SigstoreJs folder).
/// </summary>
public static class SigstoreJs
{
    public const string EnvironmentVariable = "MLAC_SIGSTORE_JS";

    public static string Folder =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } folder ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlac-npm", "sigstore-verify@3.1.0");

    public static (int ExitCode, string Output) Verify(string bundlePath, string publicKeyPath)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "SigstoreJs", "verify-bundle.cjs");
        File.Exists(script).Should().BeTrue($"the verifier script is copied beside the tests ({script})");
        File.Exists(Path.Combine(Folder, "node_modules", "@sigstore", "verify", "package.json")).Should().BeTrue(
            $"the pinned @sigstore packages must be installed in {Folder}: .ci/run does it, or run " +
            $"'mkdir -p {Folder} && cp tests/MlacRelease.Common.Tests/SigstoreJs/package*.json {Folder}/ && npm ci --prefix {Folder} --ignore-scripts'");
        var start = new ProcessStartInfo(Locate("node")!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, Folder, bundlePath, publicKeyPath }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("node verify-bundle.cjs ran past 60 s");
        }
        var text = (stdout.Result + stderr.Result).Trim();
        process.ExitCode.Should().NotBe(2, $"the verifier could not run: {text}");
        return (process.ExitCode, text);
    }

    public static string? Locate(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(f => Path.Combine(f, tool)).FirstOrDefault(File.Exists);
}
