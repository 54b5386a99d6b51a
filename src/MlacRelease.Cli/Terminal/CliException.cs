namespace MlacRelease.Cli.Terminal;

/// <summary>A failure the user can act on, with the exit code it maps to.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.InputError) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
