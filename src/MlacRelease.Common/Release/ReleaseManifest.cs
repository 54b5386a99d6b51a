using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Release;

/// <summary>
/// manifest.json: what a release folder holds, pinned by SHA-256 and size. A signature (manifest.sig, a later step)
/// covers this file's exact bytes, so the manifest transitively pins every file. It lists neither itself nor the
/// signature.
/// </summary>
public sealed record ReleaseManifest
{
    /// <summary>Bumped on any change a reader of the previous version would misread.</summary>
    public const int CurrentSchemaVersion = 1;

    public const string Tool = "MlacRelease";

    private const int MaxFiles = 1024;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public string ToolName { get; init; } = Tool;

    public required string ToolVersion { get; init; }

    /// <summary>In ordinal order of <see cref="ReleaseManifestEntry.Path"/>, so the same folder gives the same bytes.</summary>
    public required IReadOnlyList<ReleaseManifestEntry> Files { get; init; }

    public ReleaseManifestEntry? Find(string path) => Files.FirstOrDefault(f => string.Equals(f.Path, path, StringComparison.Ordinal));

    public string ToJson()
    {
        var files = new JsonArray();
        foreach (var entry in Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            files.Add(new JsonObject { ["path"] = entry.Path, ["sha256"] = entry.Sha256, ["size"] = entry.Size });
        }
        var root = new JsonObject
        {
            ["schema_version"] = SchemaVersion,
            ["tool"] = ToolName,
            ["tool_version"] = ToolVersion,
            ["files"] = files,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Parses and validates a manifest; every error names <paramref name="source"/> and the offending field.</summary>
    public static ReleaseManifest Parse(string json, string source = ReleaseFileNames.Manifest)
    {
        Text.JsonText.RequireDecodable(json, source);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{source}: not valid JSON ({e.Message})", e);
        }
        if (root is not JsonObject obj) throw new MlacInputException($"{source}: expected a JSON object");
        var schema = Int(obj, "schema_version", source);
        if (schema != CurrentSchemaVersion)
            throw new MlacInputException($"{source}: schema_version {schema} is not supported (this reader knows {CurrentSchemaVersion})");
        if (obj["files"] is not JsonArray files) throw new MlacInputException($"{source}: field 'files': expected an array");
        if (files.Count > MaxFiles) throw new MlacInputException($"{source}: {files.Count} files listed; at most {MaxFiles} are accepted");
        var entries = new List<ReleaseManifestEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            var where = $"{source}: files[{i}]";
            if (files[i] is not JsonObject file) throw new MlacInputException($"{where}: expected an object");
            var path = String(file, "path", where);
            CheckReleasePath(path, where);
            if (path is ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature or ReleaseFileNames.ModelSigningBundle)
                throw new MlacInputException($"{where}: '{path}' cannot list itself or its signature");
            if (!seen.Add(path)) throw new MlacInputException($"{where}: '{path}' is listed twice");
            var sha = String(file, "sha256", where);
            if (!IsSha256(sha)) throw new MlacInputException($"{where} ('{path}'): field 'sha256': expected \"{FileDigest.Prefix}\" and 64 lowercase hex digits, got \"{sha}\"");
            var size = Long(file, "size", where);
            if (size < 0) throw new MlacInputException($"{where} ('{path}'): field 'size' is negative");
            entries.Add(new ReleaseManifestEntry(path, sha, size));
        }
        // "onnx" cannot be a file and the folder of "onnx/model.onnx" at once: one of the two would be unreadable.
        foreach (var entry in entries)
        {
            if (FolderOf(entry.Path) is { } folder && seen.Contains(folder))
                throw new MlacInputException($"{source}: '{folder}' is listed as a file and as the folder of '{entry.Path}'");
        }
        return new ReleaseManifest
        {
            SchemaVersion = schema,
            ToolName = obj["tool"] is JsonValue t && t.TryGetValue(out string? tool) ? tool : Tool,
            ToolVersion = String(obj, "tool_version", source),
            Files = entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>How many sub-folders deep a listed file may lie: one, for Hugging Face's onnx/model.onnx.</summary>
    public const int MaxFolderDepth = 1;

    /// <summary>A manifest path is a plain file name in the release folder or in one sub-folder of it
    /// ("onnx/model.onnx"): '/' separates the parts, and each part is a plain name, so no path can steer a reader
    /// outside the folder ("..", absolute paths, backslashes) or into folders the loaders do not expect.</summary>
    public static void CheckReleasePath(string path, string where)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('/');
        if (parts.Length > MaxFolderDepth + 1)
            throw new MlacInputException($"{where}: '{path}' lies more than {MaxFolderDepth} sub-folder deep in the release folder");
        foreach (var part in parts)
        {
            if (!IsPlainFileName(part)) throw new MlacInputException($"{where}: '{path}' is not a plain file name inside the release folder");
        }
    }

    /// <summary>The sub-folder a manifest path lies in ("onnx" for "onnx/model.onnx"), or null for a top-level file.</summary>
    public static string? FolderOf(string path) => path.IndexOf('/') is var slash and > 0 ? path[..slash] : null;

    /// <summary>Bare names in a folder: no separators, no "..", nothing a reader could be steered outside the folder with.</summary>
    private static bool IsPlainFileName(string path) =>
        !(path.Length is 0 or > 255 || path is "." or ".." || path.IndexOfAny(['/', '\\', ':', '\0']) >= 0
            || path.Any(char.IsControl) || path != path.Trim());

    private static bool IsSha256(string value) =>
        value.StartsWith(FileDigest.Prefix, StringComparison.Ordinal) && value.Length == FileDigest.Prefix.Length + 64
        && value.AsSpan(FileDigest.Prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;

    private static string String(JsonObject obj, string field, string where) =>
        obj[field] is JsonValue v && v.TryGetValue(out string? s) ? s
            : throw new MlacInputException($"{where}: field '{field}': expected a string");

    private static long Long(JsonObject obj, string field, string where) =>
        obj[field] is JsonValue v && v.TryGetValue(out long n) ? n
            : throw new MlacInputException($"{where}: field '{field}': expected an integer");

    private static int Int(JsonObject obj, string field, string where) =>
        obj[field] is JsonValue v && v.TryGetValue(out int n) ? n
            : throw new MlacInputException($"{where}: field '{field}': expected an integer");
}
