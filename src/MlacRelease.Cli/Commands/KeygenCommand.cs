using System.CommandLine;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Integrity;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac keygen</c>: an ECDSA P-256 signing key pair.</summary>
public static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Private key path (PEM, created with mode 600); the public key is written beside it as .pub", DefaultValueFactory = _ => "release.key" };
        var json = SharedOptions.Json();
        var command = new Command("keygen", """
            Create an ECDSA P-256 key pair for signing release manifests. Keep the private key secret; give the
            public key (.pub) to whoever runs the gate.

            Example:
              mlac keygen --out keys/release.key      # writes keys/release.key and keys/release.pub
            """) { output, json };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var privatePath = result.GetValue(output)!;
            var publicPath = Path.ChangeExtension(privatePath, ".pub");
            var keyId = SigningKeys.WriteKeyPair(privatePath, publicPath);
            if (result.GetValue(json)) OutputMode.WriteJson(new { key_id = keyId, private_key = privatePath, public_key = publicPath });
            else System.Console.WriteLine($"key {keyId}: private {privatePath}, public {publicPath}");
            return Task.FromResult(ExitCodes.Success);
        }, cancellation));
        return command;
    }
}
