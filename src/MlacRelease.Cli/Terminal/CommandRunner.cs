using System.Text.Json;
using MlacRelease.Common.Errors;
using Spectre.Console;

namespace MlacRelease.Cli.Terminal;

/// <summary>
/// Runs a command body and turns its outcome into an exit code and a message, by the exception's type: a failed check
/// (<see cref="MlacCheckFailedException"/>) is exit 1; input problems (<see cref="MlacInputException"/> and the runtime's
/// file and format errors: a file, a line, a field, an option) are exit 2 with the offending place named; cancellation is
/// 130 with a note that the run can resume; anything else, <see cref="ArgumentException"/> included, is 3.
/// </summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellation)
    {
        try
        {
            return await body(cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Error("interrupted: everything finished so far is on disk; run the same command again to resume");
            return ExitCodes.Cancelled;
        }
        catch (CliException e)
        {
            Error(e.Message);
            return e.ExitCode;
        }
        catch (MlacCheckFailedException e)
        {
            Error(e.Message);
            return ExitCodes.CheckFailed;
        }
        catch (Exception e) when (IsInputError(e))
        {
            Error(e.Message);
            return ExitCodes.InputError;
        }
        catch (Exception e)
        {
            Error($"{e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("MLAC_DEBUG") == "1") System.Console.Error.WriteLine(e);
            else System.Console.Error.WriteLine("(set MLAC_DEBUG=1 for the stack trace)");
            return ExitCodes.RuntimeFailure;
        }
    }

    /// <summary>By type only. Besides the toolkit's own <see cref="MlacInputException"/> (which the library's option and
    /// file validation throws): the runtime's types for a missing file, malformed data or JSON. An
    /// <see cref="ArgumentException"/> is not one: it means a caller broke a method's contract, a bug (exit 3).</summary>
    private static bool IsInputError(Exception e) => e is MlacInputException
        or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or JsonException;

    public static void Error(string message)
    {
        if (System.Console.IsErrorRedirected) System.Console.Error.WriteLine($"error: {message}");
        else AnsiConsole.Console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }
}
