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
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(GateCommand.Verify());
root.Subcommands.Add(GateCommand.Create());
root.Subcommands.Add(InferenceCommands.Embed());
root.Subcommands.Add(InferenceCommands.Classify());
root.Subcommands.Add(DemoCommand.Create());
return await root.Parse(args).InvokeAsync();
