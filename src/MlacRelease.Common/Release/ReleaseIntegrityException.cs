using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Release;

/// <summary>A release folder that is incomplete, holds more than its manifest lists, or whose files or signature do not
/// verify; names the file at fault. A failed check (<see cref="MlacCheckFailedException"/>): the CLI's exit code 1.</summary>
public sealed class ReleaseIntegrityException(string message, string folder, string? fileName) : MlacCheckFailedException(message)
{
    public string Folder { get; } = folder;

    /// <summary>The file within the folder that failed (null when the folder itself is the problem).</summary>
    public string? FileName { get; } = fileName;

    /// <summary>True when the manifest's signature is missing or does not verify (as opposed to a file not matching it).</summary>
    public bool IsSignatureFailure { get; init; }
}
