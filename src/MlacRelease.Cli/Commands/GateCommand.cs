using System.CommandLine;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Text;
using MlacRelease.Gate;
using Spectre.Console;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac gate</c> (release gate for CI) and <c>mlac verify</c> (digests and signature only).</summary>
public static class GateCommand
{
    public static Command Create()
    {
        var release = new Option<string>("--release") { Description = "Release folder from mlac export (signed with mlac sign)", Required = true };
        var policy = new Option<string>("--policy") { Description = "Policy YAML (see release-checks/policy.yaml)", Required = true };
        var publicKey = new Option<string>("--public-key") { Description = "Public key (PEM) whose signature the manifest must carry", Required = true };
        var (json, noProgress) = (SharedOptions.Json(), SharedOptions.NoProgress());
        var command = new Command("gate", """
            Decide whether a release folder may be published. The folder is read once; every check uses those bytes.
            Checks, in order, failing closed on any error: signature over manifest.json → every file matches the
            manifest, which lists only files the exporter writes, and nothing else is in the folder → model.onnx is
            exactly the graph the exporter writes for its weights → config.json and the tokenizer files are exactly
            what the exporter writes for the model → those weights, their configuration and the tokenizer are the
            certified ones, and the model names this certificate → certificate integrity → policy → ONNX/TorchSharp
            parity on inputs drawn for this run. Prints
            each check with its measured value. Exit 0 only if every check holds; exit 1 names the failed checks;
            exit 2 for usage errors.

            Example:
              mlac gate --release release/ --policy release-checks/policy.yaml --public-key release.pub
            """) { release, policy, publicKey, json, noProgress };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            foreach (var (option, path, folder) in new[] { ("--release", result.GetValue(release)!, true), ("--policy", result.GetValue(policy)!, false), ("--public-key", result.GetValue(publicKey)!, false) })
            {
                if (folder ? !Directory.Exists(path) : !File.Exists(path)) throw new CliException($"{option} {path}: no such {(folder ? "folder" : "file")}");
            }
            var outcome = ReleaseGate.Evaluate(result.GetValue(release)!, result.GetValue(policy)!, result.GetValue(publicKey)!);
            Print(mode, outcome.Checks);
            if (mode.Json) OutputMode.WriteJson(new { passed = outcome.Passed, checks = outcome.Checks });
            else mode.Info(outcome.Passed ? "gate: PASS" : $"gate: FAIL ({string.Join(", ", outcome.Failures.Select(f => f.Name))})");
            return Task.FromResult(outcome.Passed ? ExitCodes.Success : ExitCodes.CheckFailed);
        }, cancellation));
        return command;
    }

    public static void Print(OutputMode mode, IReadOnlyList<GateCheck> checks)
    {
        if (mode.Json) return;
        if (System.Console.IsOutputRedirected)
        {
            foreach (var c in checks) mode.Info($"{(c.Passed ? "PASS" : "FAIL")}  {c.Name}: {PrintableText.OneLine(c.Detail)}");
            return;
        }
        var table = new Table().AddColumns("check", "result", "measured");
        foreach (var c in checks) table.AddRow(c.Name, c.Passed ? "[green]pass[/]" : "[red]FAIL[/]", Markup.Escape(PrintableText.OneLine(c.Detail)));
        AnsiConsole.Write(table);
    }

    public static Command Verify()
    {
        var release = new Option<string>("--release") { Description = "Release folder", Required = true };
        var publicKey = new Option<string>("--public-key") { Description = "The publisher's public key (PEM); the manifest must carry its signature", Required = true };
        var json = SharedOptions.Json();
        var command = new Command("verify", """
            Verify a release folder: manifest.sig over manifest.json's exact bytes with the public key, then every file
            against the manifest (size and SHA-256), and that the folder holds nothing the manifest does not list.
            Digests alone prove nothing (anyone can recompute them), so a key is required. Exit 0 if all hold, 1 if not.

            Example:
              mlac verify --release release/ --public-key release.pub
            """) { release, publicKey, json };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var folder = result.GetValue(release)!;
            var key = result.GetValue(publicKey)!;
            if (!Directory.Exists(folder)) throw new CliException($"--release {folder}: no such folder");
            if (!File.Exists(key)) throw new CliException($"--public-key {key}: no such file");
            var outcome = ReleaseVerifier.Verify(folder, key);
            var mode = new OutputMode(result.GetValue(json), NoProgress: true);
            Print(mode, outcome.Checks);
            if (mode.Json) OutputMode.WriteJson(new { passed = outcome.Passed, checks = outcome.Checks });
            return Task.FromResult(outcome.Passed ? ExitCodes.Success : ExitCodes.CheckFailed);
        }, cancellation));
        return command;
    }
}
