using System.CommandLine;
using MlacRelease.Cli.Commands;
using MlacRelease.Cli.Terminal;

namespace MlacRelease.Cli;

/// <summary>
/// The <c>mlac</c> command tree and its entry point, callable in-process (the tests run every command through
/// <see cref="RunAsync"/> exactly as the executable does, usage errors and exit codes included).
/// </summary>
public static class MlacCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("""
            mlac: release self-destructing encoders. Train with meta-learned adversarial censoring (MLAC), certify blocking
            strength against a battery of fine-tuning attacks, export to ONNX, sign, gate releases in CI, and embed text.

            Exit codes: 0 success, 1 gate or verification failed, 2 usage or input error, 3 runtime failure, 130 interrupted.
            """);
        foreach (var command in new[]
        {
            TrainCommand.Create(), KeygenCommand.Create(), SignCommand.Create(), CertifyCommand.Create(), CertifyCommand.Merge(), SelectCommand.Create(),
            SlurmCommand.Create(), ExportCommand.Create(), GateCommand.Verify(), GateCommand.Create(), InferenceCommands.Embed(), InferenceCommands.Classify(),
            DemoCommand.Create(), EraseCommand.Create(), ReportCommand.Create(),
        })
        {
            root.Subcommands.Add(command);
        }
        return OptionRules.Apply(root);
    }

    /// <summary>Parses and runs one command line; returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellation = default)
    {
        var root = Create();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Usage errors are exit 2 (System.CommandLine's default is 1, which this tool reserves for failed checks).
            foreach (var error in parsed.Errors) System.Console.Error.WriteLine($"error: {error.Message}");
            var name = parsed.CommandResult.Command.Name == root.Name ? "mlac" : "mlac " + parsed.CommandResult.Command.Name;
            System.Console.Error.WriteLine($"run '{name} --help' for usage");
            return ExitCodes.InputError;
        }
        return await parsed.InvokeAsync(cancellationToken: cancellation);
    }
}
