using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;

namespace MlacRelease.Export.Release;

/// <summary>Builds manifest.json from what is in a folder: every file but the manifest and the signatures over it.</summary>
public static class ManifestBuilder
{
    public static ReleaseManifest Describe(string folder, string toolVersion)
    {
        var entries = new List<ReleaseManifestEntry>();
        foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name is ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature or ReleaseFileNames.ModelSigningBundle || IsTemporary(name)) continue;
            ReleaseManifest.CheckPlainFileName(name, $"{folder}: file");
            entries.Add(new ReleaseManifestEntry(name, FileDigest.Sha256(path), new FileInfo(path).Length));
        }
        if (Directory.EnumerateDirectories(folder).Any())
            throw new InvalidOperationException($"{folder}: a release folder holds files only; remove the sub-folders");
        return new ReleaseManifest { ToolVersion = toolVersion, Files = entries };
    }

    /// <summary>AtomicFile's in-flight temporaries (".name.pid.guid.tmp") never belong in a manifest.</summary>
    private static bool IsTemporary(string name) => name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal);
}
