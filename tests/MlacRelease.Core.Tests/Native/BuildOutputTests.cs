namespace MlacRelease.Core.Tests.Native;

/// <summary>What Directory.Build.targets promises about output folders: only this host's native libraries.</summary>
public sealed class BuildOutputTests
{
    [Fact]
    public void The_test_output_holds_native_libraries_for_this_host_only()
    {
        var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        var host = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        var os = host.Split('-')[0];
        var loadable = new HashSet<string> { host, os, "any" };
        if (os != "win") loadable.Add("unix");

        var present = Directory.Exists(runtimes)
            ? Directory.GetDirectories(runtimes).Select(Path.GetFileName).ToList()
            : [];

        present.Should().Contain(host, "libtorch and ONNX Runtime for this host must be there");
        present.Should().OnlyContain(rid => loadable.Contains(rid!),
            "other platforms' libtorch copies cost ~1 GB per project and filled CI's disk");
        File.Exists(Path.Combine(runtimes, host, "native", "libtorch_cpu.so")).Should().BeTrue();
    }
}
