namespace MlacRelease.Tests.Shared;

/// <summary>Copies a release folder with its one level of sub-folders (onnx/), for tests that break the copy
/// (linked into the Export and Gate test projects).</summary>
public static class ReleaseCopy
{
    public static string Copy(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        foreach (var sub in Directory.GetDirectories(source)) Copy(sub, Path.Combine(target, Path.GetFileName(sub)));
        return target;
    }

    /// <summary>Every file under <paramref name="folder"/>, as release paths ("onnx/model.onnx").</summary>
    public static IReadOnlyList<string> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(folder, p).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToList();
}
