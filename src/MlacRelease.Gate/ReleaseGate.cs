using System.Security.Cryptography;
using System.Text.Json;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Policies;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Validation;
using MlacRelease.Common.Errors;

namespace MlacRelease.Gate;

/// <summary>
/// Decides whether a release folder may be published. The folder is read once (<see cref="ReleaseSnapshot"/>) and every
/// check works on those bytes. In order: the manifest's signature over its exact bytes; every file matches the
/// manifest, the manifest lists only files the exporter writes and nothing else is in the folder; model.onnx is exactly
/// the graph this toolkit's writer builds from the weights inside it (structural binding); config.json and the tokenizer
/// files are exactly what the exporter writes for what the model records; those weights, their configuration and the
/// tokenizer are the certified ones and the model names this certificate; the certificate is intact; it meets the policy; ONNX Runtime reproduces the
/// TorchSharp encoder on freshly drawn inputs. It fails closed: a check that cannot run is a failed check, and a
/// failed prerequisite fails the checks that depend on it.
/// </summary>
public static class ReleaseGate
{
    private const string NotChecked = "not checked: an earlier check it depends on failed";

    public static readonly IReadOnlyList<string> CheckNames =
        ["signature", "manifest digests", "graph structure", "consumer files", "certified weights", "certificate integrity", "policy", "parity"];

    /// <summary>Reads the folder once, verified against <paramref name="publicKeyPath"/>, and runs every check on those bytes.</summary>
    public static GateResult Evaluate(string releaseFolder, string policyPath, string publicKeyPath)
    {
        try
        {
            return Evaluate(ReleaseSnapshot.Open(releaseFolder, ReleaseTrust.SignedBy(publicKeyPath), ReleaseFileNames.RequiredByGate), policyPath);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var signatureFailed = e is not ReleaseIntegrityException { IsSignatureFailure: false };
            var checks = new List<GateCheck>
            {
                new("signature", !signatureFailed, signatureFailed ? e.Message : "valid"),
                new("manifest digests", false, signatureFailed ? NotChecked : e.Message),
            };
            checks.AddRange(CheckNames.Skip(2).Select(name => new GateCheck(name, false, NotChecked)));
            return new GateResult(checks);
        }
    }

    /// <summary>Runs the checks on a folder already read and verified; nothing is read from the folder again, so what
    /// the gate passes is exactly what it checked.</summary>
    public static GateResult Evaluate(ReleaseSnapshot snapshot, string policyPath)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var checks = new List<GateCheck>();
        bool Run(string name, Func<(bool Passed, string Detail)> check, bool prerequisite = true)
        {
            if (!prerequisite)
            {
                checks.Add(new GateCheck(name, false, NotChecked));
                return false;
            }
            try
            {
                var (passed, detail) = check();
                checks.Add(new GateCheck(name, passed, detail));
                return passed;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                checks.Add(new GateCheck(name, false, e.Message));
                return false;
            }
        }

        var signatureOk = Run("signature", () => snapshot.Trust.RequiresSignature
            ? (true, snapshot.Signature)
            : (false, "the release was read without a public key; the gate passes only releases signed by a trusted key"));
        var digestsOk = Run("manifest digests", () =>
        {
            var missing = ReleaseFileNames.RequiredByGate.Where(name => !snapshot.Has(name)).ToList();
            if (missing.Count > 0) return (false, $"{string.Join(", ", missing)} not listed in manifest.json; a release must pin them");
            // A consumer loads files the later checks never look at (transformers.js: onnx/model_quantized.onnx for dtype q8).
            var extra = snapshot.Manifest.Files.Select(e => e.Path).Where(path => !ReleaseFileNames.WrittenByExport.Contains(path)).ToList();
            return extra.Count == 0
                ? (true, $"{snapshot.Manifest.Files.Count} files match manifest.json and the folder holds nothing else")
                : (false, $"{string.Join(", ", extra)} listed in manifest.json but not a file the exporter writes; a Hugging Face consumer could load it unchecked");
        }, signatureOk);

        EncoderWeights? weights = null;
        OwnedClassificationHead? head = null;
        try
        {
            byte[]? model = null;
            Onnx.ModelProto? proto = null;
            var structureOk = Run("graph structure", () =>
            {
                model = snapshot.InlinedModel();
                proto = OnnxBertImporter.Parse(model, snapshot.Path(ReleaseFileNames.Model));
                var config = RecordedConfig(proto);
                weights = OnnxBertImporter.Import(proto, snapshot.Path(ReleaseFileNames.Model), config);
                head = ReadClassifier(proto, snapshot.Path(ReleaseFileNames.Model));
                var difference = StructuralBinding.FindDifference(proto, weights, head?.Head);
                return difference is null
                    ? (true, $"model.onnx is exactly the graph the exporter writes for its weights ({proto.Graph.Node.Count} nodes, {proto.Graph.Initializer.Count} initializers{(head is null ? "" : ", classifier head")})")
                    : (false, $"model.onnx is not the encoder graph of its weights: {difference}");
            }, digestsOk);

            HuggingFaceTokenizerJson? tokenizer = null;
            var consumerOk = Run("consumer files", () =>
            {
                tokenizer = HuggingFaceTokenizerJson.Parse(snapshot.Bytes(ReleaseFileNames.Tokenizer), snapshot.Path(ReleaseFileNames.Tokenizer));
                var recorded = TokenizerSettingsJson.Parse(EncoderOnnxExporter.Find(proto!, Common.Release.OnnxMetadataKeys.Tokenizer)!, $"model.onnx metadata '{Common.Release.OnnxMetadataKeys.Tokenizer}'");
                var difference = ReleaseConsumerFiles.FindDifference(snapshot, tokenizer, recorded, weights!.Config.ToJson(), HeadLabels(proto!, head?.Head));
                return difference is null
                    ? (true, $"{ReleaseFileNames.Config}, {ReleaseFileNames.Tokenizer}, {ReleaseFileNames.TokenizerConfig} and {ReleaseFileNames.SpecialTokensMap} are exactly what the exporter writes for the model's records ({tokenizer.Vocabulary.Count} tokens)")
                    : (false, difference);
            }, structureOk);

            Certificate? certificate = null;
            var certificateBytes = snapshot.Has(ReleaseFileNames.Certificate) ? snapshot.Bytes(ReleaseFileNames.Certificate) : null;
            var weightsOk = Run("certified weights", () =>
            {
                certificate = CertificateSerializer.FromBytes(certificateBytes!, snapshot.Path(ReleaseFileNames.Certificate));
                var expected = certificate.Context.Model;
                var actual = weights!.Digest();
                if (actual != expected.WeightDigest) return (false, $"model.onnx holds weights {actual}; the certificate is for {expected.WeightDigest}");
                var differences = expected.Differences(weights!.Config);
                if (differences.Count > 0) return (false, $"the encoder's configuration is not the certified one: {string.Join("; ", differences)}");
                var certificateDigest = FileDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(certificateBytes!));
                var named = EncoderOnnxExporter.Find(proto!, Common.Release.OnnxMetadataKeys.CertificateDigest);
                if (named != certificateDigest)
                    return (false, $"model.onnx names certificate {named ?? "(none)"} in '{Common.Release.OnnxMetadataKeys.CertificateDigest}', but the release's certificate.json is {certificateDigest}");
                // The same weights compute something else on other ids: the tokenizer must be the one the data was cut with.
                var certifiedTokenizer = certificate.Context.Data.TokenizerDigest;
                var shippedTokenizer = TokenizerDigest.Of(tokenizer!.Vocabulary, tokenizer.Settings);
                if (certifiedTokenizer is null)
                    return (false, $"the certificate does not record the tokenizer its data was tokenized with, so nothing binds {ReleaseFileNames.Tokenizer} ({shippedTokenizer}); certify again with this toolkit version");
                if (certifiedTokenizer != shippedTokenizer)
                    return (false, $"{ReleaseFileNames.Tokenizer} has vocabulary and normalisation {shippedTokenizer}; the certificate's data was tokenized with {certifiedTokenizer}");
                // The attacks saw texts cut at the certified length: a release that cuts elsewhere computes on other token
                // sequences (longer texts keep words the certified model never saw together; shorter ones drop them).
                var certifiedLength = certificate.Context.Data.MaxLength;
                if (tokenizer.Settings.MaxLength != certifiedLength)
                    return (false, $"{ReleaseFileNames.Tokenizer} truncates at max_length {tokenizer.Settings.MaxLength}; the certificate's attacks were run at max_length {certifiedLength}");
                // The weight digest covers the encoder only: the certified encoder under a head trained for the harmful task serves it.
                var certifiedHead = expected.HeadDigest;
                var shippedHead = HeadDigest.OfOnnx(proto!, snapshot.Path(ReleaseFileNames.Model));
                if (certifiedHead is null)
                    return (false, $"the certificate does not record the classifier head its model is released with, so nothing binds model.onnx's head ({shippedHead}); certify again with this toolkit version");
                if (certifiedHead != shippedHead)
                    return (false, $"model.onnx's classifier head is {shippedHead}; the certificate is for a release with head {certifiedHead}");
                return (true, $"model.onnx holds the certified weights {expected.WeightDigest}, configuration and classifier head ({(certifiedHead == HeadDigest.None ? "none" : certifiedHead)}), names this certificate, and the tokenizer and its max_length {certifiedLength} are the certified ones");
            }, structureOk && consumerOk);

            CertificationPolicy? policy = null;
            VerificationResult? verification = null;
            var integrityOk = Run("certificate integrity", () =>
            {
                policy = PolicyParser.Load(policyPath);
                verification = CertificateVerifier.Verify(certificateBytes!, snapshot.Path(ReleaseFileNames.Certificate), weights, policy);
                var failures = verification.Failures.ToList();
                return failures.Count == 0
                    ? (true, string.Join("; ", verification.Checks.Select(c => c.Name)) + " hold")
                    : (false, string.Join("; ", failures.Select(f => $"{f.Name}: {f.Detail}")));
            }, weightsOk);

            Run("policy", () =>
            {
                var verdict = verification!.PolicyVerdict ?? throw new InvalidOperationException("the policy produced no verdict");
                var failed = verdict.Checks.Where(c => c.Status == CheckStatus.Fail).ToList();
                var detail = string.Join("; ", (failed.Count > 0 ? failed : verdict.Checks.Where(c => c.Status == CheckStatus.Pass))
                    .Select(c => $"{c.Name}: {c.Detail}"));
                return (verdict.Passed, detail);
            }, integrityOk);

            Run("parity", () =>
            {
                var flavor = EncoderOnnxExporter.FlavorOf(proto!);
                var tolerance = FlavorParity.GateTolerance(flavor, policy?.RequiredParityTolerance ?? ParityOptions.DefaultTolerance);
                var int8 = FlavorParity.IsInt8(flavor);
                var options = FreshParityInputs(weights!.Config, tolerance);
                var report = OnnxParityValidator.Compare(weights, model!, snapshot.Path(ReleaseFileNames.Model), head?.Head, options);
                return (report.Passed, $"max |ONNX Runtime − TorchSharp{(int8 ? " (int8 activations)" : "")}| = {report.MaxAbsDiff:E2} (tolerance {tolerance:E0}{report.NoiseAllowance}{(int8 ? ", int8 graph" : "")}) on {report.Cases.Count} batches drawn for this run "
                    + $"(batch sizes {string.Join("/", options.BatchSizes)}, lengths {string.Join("/", options.SequenceLengths)}, seed {options.Seed})");
            }, structureOk && integrityOk);
        }
        finally
        {
            weights?.Dispose();
            head?.Dispose();
        }
        return new GateResult(checks);
    }

    /// <summary>Inputs an exported graph cannot have been specialised to: batch sizes and lengths drawn for this run.</summary>
    private static ParityOptions FreshParityInputs(EncoderConfig config, double tolerance)
    {
        var maxLength = Math.Min(config.MaxPositionEmbeddings, 128);
        var lengths = new[] { RandomNumberGenerator.GetInt32(1, maxLength + 1), RandomNumberGenerator.GetInt32(1, maxLength + 1), maxLength };
        var sizes = new[] { RandomNumberGenerator.GetInt32(1, 9), RandomNumberGenerator.GetInt32(1, 9) };
        return new ParityOptions { Tolerance = tolerance, BatchSizes = sizes, SequenceLengths = lengths.Distinct().ToList(), Seed = RandomNumberGenerator.GetInt32(int.MaxValue) };
    }

    /// <summary>The configuration the exporter recorded; the structural check then proves the graph computes with it.</summary>
    private static EncoderConfig RecordedConfig(Onnx.ModelProto model)
    {
        var json = EncoderOnnxExporter.Find(model, Common.Release.OnnxMetadataKeys.EncoderConfig)
            ?? throw new MlacInputException($"model.onnx has no '{Common.Release.OnnxMetadataKeys.EncoderConfig}' metadata: it was not written by this toolkit's exporter");
        return EncoderConfig.FromJson(json, $"model.onnx metadata '{Common.Release.OnnxMetadataKeys.EncoderConfig}'").Validate();
    }

    /// <summary>The class names config.json must carry: the ones the model records, else Hugging Face's defaults for
    /// the head's classes (as the exporter writes them); null without a head.</summary>
    private static IReadOnlyList<string>? HeadLabels(Onnx.ModelProto model, ClassificationHead? head) =>
        head is null ? null
        : EncoderOnnxExporter.Find(model, Common.Release.OnnxMetadataKeys.Labels) is { } json
            ? JsonSerializer.Deserialize<string[]>(json) ?? throw new MlacInputException($"model.onnx metadata '{Common.Release.OnnxMetadataKeys.Labels}' is null")
            : ReleaseModelConfig.DefaultLabels(head.Classes);

    private static OwnedClassificationHead? ReadClassifier(Onnx.ModelProto model, string modelPath)
    {
        var weight = model.Graph.Initializer.FirstOrDefault(i => i.Name == ClassificationHead.WeightName);
        if (weight is null) return null;
        var bias = model.Graph.Initializer.FirstOrDefault(i => i.Name == ClassificationHead.BiasName);
        return new OwnedClassificationHead(new ClassificationHead(OnnxBertImporter.ToTensor(weight, modelPath), bias is null ? null : OnnxBertImporter.ToTensor(bias, modelPath)));
    }
}
