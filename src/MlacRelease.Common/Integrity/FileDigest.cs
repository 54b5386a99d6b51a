using System.Security.Cryptography;

namespace MlacRelease.Common.Integrity;

/// <summary>SHA-256 of a file's exact bytes, for pinning a released artifact (compare <see cref="WeightDigest"/>).</summary>
public static class FileDigest
{
    /// <summary>The algorithm prefix every digest string in this toolkit carries.</summary>
    public const string Prefix = "sha256:";

    /// <summary>"sha256:" + lowercase hex SHA-256 of the file, read as a stream so size does not matter.</summary>
    public static string Sha256(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return Sha256(stream);
    }

    /// <summary>"sha256:" + lowercase hex SHA-256 of the rest of <paramref name="stream"/>.</summary>
    public static string Sha256(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
