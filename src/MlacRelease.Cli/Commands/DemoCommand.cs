using System.CommandLine;
using System.Diagnostics;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Reports;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Integrity;
using MlacRelease.Core.Data;
using MlacRelease.Gate;
using MlacRelease.Inference;
using MlacRelease.Training.Erasure;
using MlacRelease.Training.Trainer;

namespace MlacRelease.Cli.Commands;

/// <summary>
/// <c>mlac demo</c>: the whole chain on the built-in model and corpus — train → certify → export → sign → gate → embed —
/// at a budget that fits a laptop, printing where every artifact went and the headline numbers.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for every artifact of the demo", DefaultValueFactory = _ => "mlac-demo" };
        var steps = new Option<int>("--steps") { Description = "MLAC outer steps (a demo budget; the paper uses 50,000)", DefaultValueFactory = _ => MlacPresets.DemoSteps };
        var data = SharedOptions.Data("builtin:bios:6000");
        var battery = new Option<string?>("--battery") { Description = "Battery for the certification step (default: the built-in demo battery; quick, paper, standard or a file)" };
        var noErase = new Option<bool>("--no-erase") { Description = "Skip lexical erasure and certify the MLAC-trained encoder as it is (to compare with the default)" };
        var (device, json, noProgress) = (SharedOptions.Device(), SharedOptions.Json(), SharedOptions.NoProgress());
        var command = new Command("demo", """
            The whole chain on the built-in MiniLM and the built-in biography corpus: train with MLAC (40 steps of the
            realistic-erase preset: an attacker drawn per rollout, top-layer re-initialisation among them, half the
            rollouts K = 32 first-order, and the harmful classes' mean states pushed together in every layer), erase the
            harmful label from the word embeddings of the tokens that carry it (mlac erase, defaults; --no-erase skips it),
            certify against the demo battery (model vs pretrained vs random init), export to ONNX with a parity check,
            sign the manifest, run the release gate with the demo policy, and embed and classify two sentences with
            ONNX Runtime. Rerunning resumes finished work. The demo shows the pipeline; it does not produce a
            protected model (that takes a real training budget, see README).

            Example:
              dotnet run -c Release --project src/MlacRelease.Cli -- demo
            """) { output, steps, data, battery, noErase, device, json, noProgress };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(async token =>
        {
            var mode = new OutputMode(result.GetValue(json), result.GetValue(noProgress));
            var root = Path.GetFullPath(result.GetValue(output)!);
            var timings = new List<(string Stage, TimeSpan Time)>();
            var clock = Stopwatch.StartNew();
            T Stage<T>(string name, Func<T> body)
            {
                mode.Info($"── {name}");
                var stageClock = Stopwatch.StartNew();
                var value = body();
                timings.Add((name, stageClock.Elapsed));
                return value;
            }

            var keys = Path.Combine(root, "keys");
            var privateKey = Path.Combine(keys, "release.key");
            var publicKey = Path.Combine(keys, "release.pub");
            Stage("keys", () => File.Exists(privateKey) ? "" : SigningKeys.WriteKeyPair(privateKey, publicKey));

            var run = Path.Combine(root, "run");
            var options = MlacPresets.Demo(result.GetValue(steps));
            var dataSpec = result.GetValue(data)!;
            var summary = await StageAsync(mode, timings, "train (MLAC)", () =>
                TrainCommand.Train(mode, options, "builtin:minilm", dataSpec, DatasetSchema.Default, run, result.GetValue(device)!, restart: false, token));

            var released = run;
            if (!result.GetValue(noErase))
            {
                released = Path.Combine(root, "run-erased");
                Stage("erase (lexical)", () => EraseCommand.EraseUnlessCurrent(mode, run, summary.WeightDigest, dataSpec, released, new LexicalErasureOptions()));
            }

            var cert = Path.Combine(root, "cert");
            var batterySpec = result.GetValue(battery);
            var chosen = batterySpec is null ? BatteryParser.Parse(Resource("demo.yaml"), "builtin:demo") : BatteryPresets.Resolve(batterySpec);
            var policyPath = Path.Combine(root, "policy-demo.yaml");
            Common.IO.AtomicFile.WriteAllText(policyPath, Resource("policy-demo.yaml"));
            await StageAsync(mode, timings, "certify", () => CertifyCommand.Certify(mode,
                new CertificationInputs { Model = released, Pretrained = "builtin:minilm", Data = dataSpec, Battery = chosen, MaxLength = 48 },
                new CertifyCommand.CertifySettings(batterySpec ?? "demo", policyPath, cert, Shard: null, Workers: 1, Threads: Environment.ProcessorCount,
                    result.GetValue(device)!, BaselineCache: Path.Combine(root, "baselines")), token));
            var certificatePath = Path.Combine(cert, Certifier.CertificateFileName);

            var release = Path.Combine(root, "release");
            var written = Stage("export", () => ExportCommand.Export(mode, released, certificatePath, release, headPath: null, tolerance: 1e-4, maxLength: null));
            Stage("sign", () => Common.Release.ReleaseSigning.Sign(release, privateKey));
            var gate = Stage("gate", () => ReleaseGate.Evaluate(release, policyPath, publicKey));
            GateCommand.Print(mode, gate.Checks);

            string[] samples = ["They have been a registered nurse in Boston for nine years.", "Their songs blend rap verses with soul samples."];
            var (vectors, classes) = Stage("embed + classify (ONNX Runtime)", () =>
            {
                using var session = EncoderSession.Open(release, publicKey);
                return (session.Embed(samples), session.HasClassifier ? session.Classify(samples) : null);
            });

            var certificate = CertificateSerializer.Read(certificatePath);
            mode.Info("");
            mode.Info("── headline");
            CertificationDisplay.PrintHeadline(mode with { Json = false }, certificate);
            for (var i = 0; i < samples.Length; i++)
                mode.Info($"\"{samples[i]}\" → {vectors[i].Length}-d embedding{(classes is null ? "" : $", desired-task label {classes[i].Label} ({classes[i].Confidence:P0})")}");
            mode.Info($"gate: {(gate.Passed ? "PASS" : "FAIL")} with the demo policy (no blocking required; see release-checks/policy.yaml for a release policy)");
            mode.Info("");
            mode.Info($"artifacts: trained model {run}{(released == run ? "" : $" | erased model {released}")} | certificate {certificatePath} | report {Path.Combine(cert, Certifier.ReportFolderName, ReportWriter.FileName)} | release {release} | keys {keys}");
            mode.Info("time per stage: " + string.Join(", ", timings.Select(t => $"{t.Stage} {t.Time:mm\\:ss}")) + $"; total {clock.Elapsed:mm\\:ss}");
            if (mode.Json) OutputMode.WriteJson(new
            {
                run, certificate = certificatePath, release, gate_passed = gate.Passed, gate = gate.Checks,
                training = summary, worst_case = certificate.WorstCase, seconds = timings.ToDictionary(t => t.Stage, t => t.Time.TotalSeconds),
            });
            return gate.Passed ? ExitCodes.Success : ExitCodes.CheckFailed;
        }, cancellation));
        return command;
    }

    private static async Task<T> StageAsync<T>(OutputMode mode, List<(string, TimeSpan)> timings, string name, Func<Task<T>> body)
    {
        mode.Info($"── {name}");
        var clock = Stopwatch.StartNew();
        var value = await body();
        timings.Add((name, clock.Elapsed));
        return value;
    }

    private static string Resource(string name)
    {
        using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the tool was built without its {name} resource");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
