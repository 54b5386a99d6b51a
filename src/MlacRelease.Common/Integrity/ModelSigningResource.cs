using System.Text;
using MlacRelease.Common.Release;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// One file a model-signing statement pins: its path relative to the model folder ("/" separated) and the lowercase
/// hex SHA-256 of its bytes (no "sha256:" prefix; model_signing writes the algorithm beside the digest).
/// </summary>
public sealed record ModelSigningResource(string Name, string Sha256Hex)
{
    private const int MaxNameLength = 4096;

    /// <summary>The resource for a manifest entry (drops the manifest's "sha256:" prefix).</summary>
    public static ModelSigningResource FromManifestEntry(ReleaseManifestEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.Sha256.StartsWith(FileDigest.Prefix, StringComparison.Ordinal))
            throw new ArgumentException($"'{entry.Path}': digest \"{entry.Sha256}\" does not start with \"{FileDigest.Prefix}\"", nameof(entry));
        return new ModelSigningResource(entry.Path, entry.Sha256[FileDigest.Prefix.Length..]);
    }

    /// <summary>Why <paramref name="name"/> cannot name a file inside a model folder, or null when it can.</summary>
    public static string? NameProblem(string name)
    {
        if (name.Length is 0 or > MaxNameLength) return $"'{name}' must be 1 to {MaxNameLength} characters";
        if (name.Any(char.IsControl) || name.IndexOfAny(['\\', ':']) >= 0) return $"'{name}' holds a control character, '\\' or ':'";
        return name.Split('/').Any(part => part is "" or "." or ".." || part != part.Trim())
            ? $"'{name}' is not a relative path inside the model folder (empty, '.', '..' or padded segment)"
            : null;
    }

    public static bool IsSha256Hex(string value) => value.Length == 64 && value.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>
    /// The order model_signing lists resources in (its manifest sorts POSIX paths): segment by segment, each segment
    /// by Unicode code point (compared as UTF-8 bytes, which sort the same).
    /// </summary>
    public static IComparer<string> PathOrder { get; } = Comparer<string>.Create(static (a, b) =>
    {
        var left = a.Split('/');
        var right = b.Split('/');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var order = Encoding.UTF8.GetBytes(left[i]).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(right[i]));
            if (order != 0) return order;
        }
        return left.Length.CompareTo(right.Length);
    });
}
