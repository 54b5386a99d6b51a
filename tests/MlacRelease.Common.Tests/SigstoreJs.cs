using MlacRelease.Tests.Shared;

namespace MlacRelease.Common.Tests;

/// <summary>
/// Runs SigstoreJs/verify-bundle.cjs (copied beside the tests) with the pinned @sigstore packages that .ci/run installs
/// into $MLAC_SIGSTORE_JS, by default ~/.cache/mlac-npm/sigstore-verify@3.1.0 (package.json and package-lock.json
/// in this project's SigstoreJs folder).
/// </summary>
public static class SigstoreJs
{
    public const string EnvironmentVariable = "MLAC_SIGSTORE_JS";

    public static string Folder => NodeTools.PackageFolder(EnvironmentVariable, "sigstore-verify@3.1.0");

    public static (int ExitCode, string Output) Verify(string bundlePath, string publicKeyPath)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "SigstoreJs", "verify-bundle.cjs");
        File.Exists(script).Should().BeTrue($"the verifier script is copied beside the tests ({script})");
        File.Exists(Path.Combine(Folder, "node_modules", "@sigstore", "verify", "package.json")).Should().BeTrue(
            $"the pinned @sigstore packages must be installed in {Folder}: .ci/run does it, or run " +
            $"'mkdir -p {Folder} && cp tests/MlacRelease.Common.Tests/SigstoreJs/package*.json {Folder}/ && npm ci --prefix {Folder} --ignore-scripts'");
        var (exitCode, text) = NodeTools.Run(TimeSpan.FromSeconds(60), script, Folder, bundlePath, publicKeyPath);
        exitCode.Should().NotBe(2, $"the verifier could not run: {text}");
        return (exitCode, text);
    }
}
