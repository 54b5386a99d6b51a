using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;

namespace MlacRelease.Export.Release;

/// <summary>Builds manifest.json from what is in a folder: every file but the manifest and the signatures over it.</summary>
public static class ManifestBuilder
{
    public static ReleaseManifest Describe(string folder, string toolVersion)
    {
        var entries = new List<ReleaseManifestEntry>();
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            Add(entries, folder, Path.GetFileName(path));
        }
        // One level of sub-folders (onnx/), as the reader accepts; anything deeper is refused rather than left unlisted.
        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            var subName = Path.GetFileName(sub);
            if (Directory.EnumerateDirectories(sub).Any())
                throw new InvalidOperationException($"{sub}: a release folder holds files at most {ReleaseManifest.MaxFolderDepth} sub-folder deep; remove the folders inside it");
            foreach (var path in Directory.EnumerateFiles(sub)) Add(entries, folder, subName + "/" + Path.GetFileName(path));
        }
        return new ReleaseManifest { ToolVersion = toolVersion, Files = entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList() };
    }

    private static void Add(List<ReleaseManifestEntry> entries, string folder, string name)
    {
        if (name is ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature or ReleaseFileNames.ModelSigningBundle || IsTemporary(Path.GetFileName(name))) return;
        ReleaseManifest.CheckReleasePath(name, $"{folder}: file");
        var path = Path.Combine(folder, name);
        entries.Add(new ReleaseManifestEntry(name, FileDigest.Sha256(path), new FileInfo(path).Length));
    }

    /// <summary>AtomicFile's in-flight temporaries (".name.pid.guid.tmp") never belong in a manifest.</summary>
    private static bool IsTemporary(string name) => name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal);
}
