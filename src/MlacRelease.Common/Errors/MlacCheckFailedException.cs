namespace MlacRelease.Common.Errors;

/// <summary>
/// The inputs were well-formed but a check on them failed: a release whose files or signature do not verify, an export
/// whose outputs drift past the parity tolerance, a merge with shards missing. The CLI's exit code 1.
/// </summary>
public class MlacCheckFailedException : Exception
{
    public MlacCheckFailedException(string message) : base(message) { }

    public MlacCheckFailedException(string message, Exception? innerException) : base(message, innerException) { }
}
