using System.CommandLine;
using MlacRelease.Cli.Commands;

var root = new RootCommand("""
    mlac: release self-destructing encoders. Train with meta-learned adversarial censoring (MLAC), certify blocking
    strength against a battery of fine-tuning attacks, export to ONNX, sign, gate releases in CI, and embed text.

    Exit codes: 0 success, 1 gate or verification failed, 2 usage or input error, 3 runtime failure, 130 interrupted.
    """);
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(KeygenCommand.Create());
root.Subcommands.Add(SignCommand.Create());
root.Subcommands.Add(CertifyCommand.Create());
root.Subcommands.Add(CertifyCommand.Merge());
root.Subcommands.Add(SelectCommand.Create());
root.Subcommands.Add(SlurmCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(GateCommand.Verify());
root.Subcommands.Add(GateCommand.Create());
root.Subcommands.Add(InferenceCommands.Embed());
root.Subcommands.Add(InferenceCommands.Classify());
root.Subcommands.Add(DemoCommand.Create());
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Usage errors are exit 2 (System.CommandLine's default is 1, which this tool reserves for failed checks).
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine($"run '{string.Join(" ", parsed.CommandResult.Command.Name == root.Name ? "mlac" : "mlac " + parsed.CommandResult.Command.Name)} --help' for usage");
    return MlacRelease.Cli.Console.ExitCodes.InputError;
}
return await parsed.InvokeAsync();
