namespace MlacRelease.Cli.Terminal;

/// <summary>The tool's exit codes, stable for CI scripts.</summary>
public static class ExitCodes
{
    /// <summary>Everything held.</summary>
    public const int Success = 0;

    /// <summary>A gate, verification or policy check failed (the inputs were fine; the release is not).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad usage or bad input: a missing file, a malformed dataset line, an invalid option.</summary>
    public const int InputError = 2;

    /// <summary>Anything else went wrong while running.</summary>
    public const int RuntimeFailure = 3;

    /// <summary>Interrupted (Ctrl-C); the state on disk is resumable.</summary>
    public const int Cancelled = 130;
}
