namespace MlacRelease.Common.Release;

/// <summary>One file of a release folder: its name (a plain file name in the folder), SHA-256 ("sha256:…") and size in bytes.</summary>
public sealed record ReleaseManifestEntry(string Path, string Sha256, long Size);
