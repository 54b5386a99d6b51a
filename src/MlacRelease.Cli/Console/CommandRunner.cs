using System.Text.Json;
using MlacRelease.Core.Data;
using MlacRelease.Core.Weights;
using Spectre.Console;

namespace MlacRelease.Cli.Console;

/// <summary>
/// Runs a command body and turns its outcome into an exit code and a message: input problems (a file, a line, a field)
/// are exit 2 with the offending place named, cancellation is 130 with a note that the run can resume, anything else 3.
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
        catch (Exception e) when (e is MlacRelease.Common.Release.ReleaseIntegrityException or MlacRelease.Export.Validation.ParityException)
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

    private static bool IsInputError(Exception e) => e is DatasetFormatException or SafetensorsFormatException or MlacRelease.Certification.Batteries.StrictYamlException
        or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException or JsonException
        || (e is InvalidOperationException && e.Message.Contains("--restart", StringComparison.Ordinal));

    public static void Error(string message)
    {
        if (System.Console.IsErrorRedirected) System.Console.Error.WriteLine($"error: {message}");
        else AnsiConsole.Console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }
}
