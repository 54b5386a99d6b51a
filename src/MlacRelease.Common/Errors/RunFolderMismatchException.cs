namespace MlacRelease.Common.Errors;

/// <summary>An output folder holds another run's state (other options, other data): resuming would mix the two. The
/// message says how to resume or start over.</summary>
public sealed class RunFolderMismatchException(string message) : MlacInputException(message);
