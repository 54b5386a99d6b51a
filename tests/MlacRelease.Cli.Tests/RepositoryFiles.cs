namespace MlacRelease.Cli.Tests;

/// <summary>Files of the repository the tests run in (found upwards from the test assembly).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MlacRelease.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no MlacRelease.sln above {AppContext.BaseDirectory}");
    }
}
