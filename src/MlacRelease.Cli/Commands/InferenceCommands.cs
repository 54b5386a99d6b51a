using System.CommandLine;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Release;
using MlacRelease.Inference;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac embed</c> and <c>mlac classify</c>: downstream inference with ONNX Runtime over a verified release folder.</summary>
public static class InferenceCommands
{
    private sealed record Options(Option<string> Release, Option<string?> PublicKey, Option<bool> AllowUnsigned, Option<string> Device,
        Option<string?> File, Argument<string[]> Texts, Option<bool> Json);

    private static Options Common()
    {
        var release = new Option<string>("--release") { Description = "Release folder from mlac export", Required = true };
        var device = new Option<string>("--device") { Description = "cpu | cuda (falls back to the CPU with a message when CUDA libraries are missing)", DefaultValueFactory = _ => "cpu" };
        var file = new Option<string?>("--file") { Description = "Read texts from a file, one per line" };
        var texts = new Argument<string[]>("texts") { Description = "Texts to run", Arity = ArgumentArity.ZeroOrMore };
        var json = SharedOptions.Json();
        var publicKey = new Option<string?>("--public-key") { Description = "The publisher's public key (PEM): the release's manifest must carry its signature, and every file must match the manifest" };
        var allowUnsigned = new Option<bool>("--allow-unsigned") { Description = "Serve without checking who signed the release (files are still checked against manifest.json, which anyone who can write the folder can rewrite)" };
        return new Options(release, publicKey, allowUnsigned, device, file, texts, json);
    }

    private static (EncoderSession Session, IReadOnlyList<string> Texts) Open(ParseResult result, Options o)
    {
        var texts = new List<string>(result.GetValue(o.Texts) ?? []);
        if (result.GetValue(o.File) is { } path)
        {
            if (!File.Exists(path)) throw new CliException($"--file {path}: no such file");
            texts.AddRange(File.ReadLines(path).Where(l => l.Length > 0));
        }
        if (texts.Count == 0) throw new CliException("no texts: pass them as arguments or with --file");
        var device = result.GetValue(o.Device) switch
        {
            "cpu" => ExecutionDevice.Cpu,
            "cuda" or "gpu" => ExecutionDevice.Cuda,
            var other => throw new CliException($"--device {other}: expected cpu or cuda"),
        };
        var session = EncoderSession.Open(result.GetValue(o.Release)!, Trust(result, o), new EncoderSessionOptions { Device = device });
        if (session.FallbackReason is { } reason) System.Console.Error.WriteLine($"note: running on the CPU: {reason}");
        return (session, texts);
    }

    /// <summary>A key, or the explicit unsigned opt-in with a warning; neither is a usage error (exit 2).</summary>
    private static ReleaseTrust Trust(ParseResult result, Options o)
    {
        var key = result.GetValue(o.PublicKey);
        var unsigned = result.GetValue(o.AllowUnsigned);
        if (key is not null && unsigned) throw new CliException("--public-key and --allow-unsigned exclude each other");
        if (key is not null)
        {
            if (!File.Exists(key)) throw new CliException($"--public-key {key}: no such file");
            return ReleaseTrust.SignedBy(key);
        }
        if (!unsigned)
            throw new CliException("give --public-key with the publisher's public key (or --allow-unsigned to serve a release whose origin nothing proves)");
        System.Console.Error.WriteLine($"warning: {ReleaseTrust.UnsignedWarning}");
        return ReleaseTrust.Unsigned;
    }

    public static Command Embed()
    {
        var o = Common();
        var pooling = new Option<Pooling>("--pooling") { Description = "Cls | Mean | Pooler", DefaultValueFactory = _ => Pooling.Mean };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise each embedding" };
        var command = new Command("embed", """
            Embed texts with a released encoder (ONNX Runtime). The folder is read once and verified first: the manifest's
            signature with --public-key, then every file against the manifest; nothing unlisted may be in the folder.

            Example:
              mlac embed --release release/ --public-key release.pub "A nurse in Montréal." "A poet in Lagos."
            """) { o.Release, o.PublicKey, o.AllowUnsigned, o.Device, o.File, o.Texts, o.Json, pooling, normalize };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var (session, texts) = Open(result, o);
            using (session)
            {
                var vectors = session.Embed(texts, result.GetValue(pooling), result.GetValue(normalize));
                if (result.GetValue(o.Json)) OutputMode.WriteJson(texts.Select((t, i) => new { text = t, embedding = vectors[i] }));
                else
                {
                    for (var i = 0; i < texts.Count; i++)
                        System.Console.WriteLine($"[{vectors[i].Length}] {string.Join(" ", vectors[i].Take(6).Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))} …  {texts[i]}");
                    System.Console.WriteLine($"({session.ExecutionProvider})");
                }
            }
            return Task.FromResult(ExitCodes.Success);
        }, cancellation));
        return command;
    }

    public static Command Classify()
    {
        var o = Common();
        var command = new Command("classify", """
            Classify texts with the release's desired-task head (present when the model was trained with mlac train).

            Example:
              mlac classify --release release/ --public-key release.pub "They have practised dentistry in Ohio for ten years."
            """) { o.Release, o.PublicKey, o.AllowUnsigned, o.Device, o.File, o.Texts, o.Json };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var (session, texts) = Open(result, o);
            using (session)
            {
                if (!session.HasClassifier) throw new CliException($"{result.GetValue(o.Release)}: this release has no classification head");
                var classes = session.Classify(texts);
                if (result.GetValue(o.Json)) OutputMode.WriteJson(texts.Select((t, i) => new { text = t, label = classes[i].Label, index = classes[i].Index, confidence = classes[i].Confidence }));
                else for (var i = 0; i < texts.Count; i++) System.Console.WriteLine($"{classes[i].Label ?? classes[i].Index.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({classes[i].Confidence:P1})  {texts[i]}");
            }
            return Task.FromResult(ExitCodes.Success);
        }, cancellation));
        return command;
    }
}
