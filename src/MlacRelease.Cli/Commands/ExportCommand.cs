using System.CommandLine;
using MlacRelease.Certification.Certificates;
using MlacRelease.Cli.Terminal;
using MlacRelease.Cli.Inputs;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Release;
using MlacRelease.Export.Validation;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac export</c>: the release folder (ONNX, tokenizer, certificate, manifest, model card), parity-checked.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model(ModelSource.Default);
        var certificate = new Option<string?>("--certificate") { Description = "certificate.json from mlac certify (copied into the release and bound by digest)" };
        var output = new Option<string>("--out") { Description = "Release folder to write", Required = true };
        var head = new Option<string?>("--head") { Description = "heads.safetensors with the desired-task head (default: the one beside the model, if any); adds a logits output" };
        var tolerance = new Option<double?>("--tolerance") { Description = $"Maximum |ONNX Runtime − TorchSharp| allowed by the export-time parity check (default {ParityOptions.DefaultTolerance:G}; {ParityOptions.Int8Tolerance:G} for --flavor int8, whose reference quantizes activations as the graph does)" };
        var flavor = new Option<string>("--flavor")
        {
            Description = "Graph operators: 'portable' (standard ONNX, default), 'ort-fused' (ONNX Runtime's fused contrib kernels) or 'int8' "
                + "(int8 weights per output channel with dynamic uint8 activations for every encoder Linear; the release holds and must be certified for the dequantized int8 weights: "
                + "export int8, certify that model, then export it again with --certificate)",
            DefaultValueFactory = _ => "portable",
        };
        flavor.AcceptOnlyFromAmong([.. OnnxGraphFlavors.Names]);
        var maxLength = new Option<int?>("--max-length") { Description = $"Tokenizer truncation length recorded in the release (default: the certificate's data.max_length, the length its attacks were run at, which the gate requires; {DefaultMaxLength} without a certificate)" };
        var json = SharedOptions.Json();
        var command = new Command("export", """
            Export an encoder as a release folder laid out as a Hugging Face ONNX model: onnx/model.onnx (opset 17),
            config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json, certificate.json, the model
            card as README.md, and manifest.json (SHA-256 of every file). ONNX Runtime's outputs are
            compared with the TorchSharp encoder on inputs of several shapes; the export fails above --tolerance.

            Example:
              mlac export --model run/ --certificate cert/certificate.json --out release/

            An int8 release is certified as shipped:
              mlac export --model run/ --flavor int8 --out int8-draft/
              mlac certify --model int8-draft/ --data bios.jsonl --out cert-int8/
              mlac export --model run/ --flavor int8 --certificate cert-int8/certificate.json --out release-int8/
            (re-quantizing gives back the same int8 values and scales, so the release holds exactly the certified weights).
            """) { model, certificate, output, head, tolerance, maxLength, flavor, json };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            Export(new OutputMode(result.GetValue(json), NoProgress: true), result.GetValue(model)!, result.GetValue(certificate),
                result.GetValue(output)!, result.GetValue(head), result.GetValue(tolerance), result.GetValue(maxLength), ParseFlavor(result.GetValue(flavor)!));
            return Task.FromResult(ExitCodes.Success);
        }, cancellation));
        return command;
    }

    public static ReleaseWriteResult Export(OutputMode mode, string modelSpec, string? certificatePath, string output, string? headPath,
        double? tolerance, int? maxLength, OnnxGraphFlavor flavor = OnnxGraphFlavor.Portable)
    {
        var allowed = tolerance ?? FlavorParity.DefaultTolerance(flavor);
        var (weights, vocabulary, description) = ModelSource.Load(modelSpec);
        using (weights)
        {
            headPath ??= DefaultHead(modelSpec);
            using var classifier = headPath is null ? null : HeadsFile.Read(headPath);
            if (certificatePath is not null && !File.Exists(certificatePath)) throw new CliException($"--certificate {certificatePath}: no such file");
            var truncation = TruncationLength(certificatePath, maxLength);
            var folder = Path.GetFullPath(output);
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
                throw new CliException($"--out {folder}: the release folder must be new or empty (stale files would end up in the manifest)");
            // Written into a staging folder beside the target and renamed into place when complete: an export killed at any
            // moment leaves no release folder (only the staging one, which the same command removes and writes again).
            var staging = Path.Combine(Path.GetDirectoryName(folder)!, $".{Path.GetFileName(folder)}.partial");
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            var written = ReleaseWriter.Write(staging, weights, new ReleaseOptions
            {
                Vocabulary = vocabulary,
                Onnx = new OnnxExportOptions { Tokenizer = new TokenizerSettings { MaxLength = truncation }, Head = classifier?.Head, Flavor = flavor },
                CertificatePath = certificatePath,
                Parity = new ParityOptions { Tolerance = allowed },
            });
            if (Directory.Exists(folder)) Directory.Delete(folder);
            Directory.Move(staging, folder);
            written = written with { Folder = folder };
            var files = written.Manifest.Files.Select(f => f.Path).ToArray();
            // The digest the release records (for int8: of the dequantized weights), i.e. the one to certify.
            var digest = written.Export.WeightDigest;
            if (mode.Json) OutputMode.WriteJson(new { release = written.Folder, model = description, flavor = FlavorName(flavor), weight_digest = digest, parity_max_abs_diff = written.Parity?.MaxAbsDiff, files });
            else
            {
                mode.Info($"release: {written.Folder} ({string.Join(", ", files)})");
                mode.Info($"{FlavorName(flavor)} graph; weights {digest}{(flavor == OnnxGraphFlavor.Int8 ? " (dequantized int8)" : "")}; parity max |Δ| {written.Parity?.MaxAbsDiff:E2} (tolerance {allowed:E0}{written.Parity?.NoiseAllowance})");
            }
            return written;
        }
    }

    /// <summary>Without a certificate and without --max-length.</summary>
    public const int DefaultMaxLength = 128;

    /// <summary>The certificate's claims hold for texts cut where its attacks cut them, and the gate refuses a release
    /// that truncates elsewhere: follow the certificate, and refuse a --max-length that disagrees with it here rather
    /// than at the gate.</summary>
    private static int TruncationLength(string? certificatePath, int? requested)
    {
        if (certificatePath is null) return requested ?? DefaultMaxLength;
        var certified = CertificateSerializer.Read(certificatePath).Context.Data.MaxLength;
        if (requested is { } value && value != certified)
            throw new CliException($"--max-length {value}: the certificate's attacks were run at max_length {certified}; a release must truncate where it was certified (leave --max-length out to follow the certificate)");
        return certified;
    }

    private static OnnxGraphFlavor ParseFlavor(string name) => OnnxGraphFlavors.TryParse(name, out var flavor)
        ? flavor
        : throw new CliException($"--flavor {name}: expected {string.Join(", ", OnnxGraphFlavors.Names)}");

    private static string FlavorName(OnnxGraphFlavor flavor) => OnnxGraphFlavors.Name(flavor);

    private static string? DefaultHead(string modelSpec)
    {
        if (modelSpec.StartsWith("builtin:", StringComparison.Ordinal)) return null;
        var folder = Directory.Exists(modelSpec) ? modelSpec : Path.GetDirectoryName(Path.GetFullPath(modelSpec))!;
        var path = HeadsFile.PathIn(folder);
        return File.Exists(path) ? path : null;
    }
}
