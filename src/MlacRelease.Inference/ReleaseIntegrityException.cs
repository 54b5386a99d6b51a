namespace MlacRelease.Inference;

/// <summary>A release folder that is incomplete or whose files differ from its manifest; names the file at fault.
/// (An <see cref="IOException"/>, since <see cref="InvalidDataException"/> is sealed.)</summary>
public sealed class ReleaseIntegrityException(string message, string folder, string? fileName) : IOException(message)
{
    public string Folder { get; } = folder;

    /// <summary>The file within the folder that failed (null when the folder itself is the problem).</summary>
    public string? FileName { get; } = fileName;
}
