using System.CommandLine;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Integrity;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac sign</c>: a detached signature over a release folder's manifest.json.</summary>
public static class SignCommand
{
    public static Command Create()
    {
        var release = new Option<string>("--release") { Description = "Release folder (holds manifest.json)", Required = true };
        var key = new Option<string>("--key") { Description = "Private key (PEM) from mlac keygen", Required = true };
        var json = SharedOptions.Json();
        var command = new Command("sign", """
            Sign a release folder with ECDSA P-256: manifest.sig (over manifest.json's exact bytes) and model.sig (the
            OpenSSF model-signing layout: a Sigstore bundle whose in-toto statement lists every file of the folder, so
            model_signing and Sigstore verifiers can check the release without this tool).

            Example:
              mlac sign --release release/ --key release.key
            """) { release, key, json };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var manifest = Path.Combine(result.GetValue(release)!, Common.Release.ReleaseFileNames.Manifest);
            if (!File.Exists(manifest)) throw new CliException($"{manifest}: missing; create the release with mlac export first");
            var signature = Common.Release.ReleaseSigning.Sign(result.GetValue(release)!, result.GetValue(key)!);
            if (result.GetValue(json)) OutputMode.WriteJson(signature);
            else System.Console.WriteLine($"signed {manifest} with key {signature.KeyId} → {Path.Combine(result.GetValue(release)!, ManifestSignature.FileName)} and {Path.Combine(result.GetValue(release)!, ModelSigningBundle.DefaultFileName)}");
            return Task.FromResult(ExitCodes.Success);
        }, cancellation));
        return command;
    }
}
