using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Policies;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Validation;
using MlacRelease.Inference;

namespace MlacRelease.Gate;

/// <summary>
/// Decides whether a release folder may be published. In order: every file matches the manifest; the manifest's
/// signature verifies with the given public key; the weights inside model.onnx have the certificate's weight digest;
/// the certificate is intact (canonical, integrity digest, derived results); the certificate meets the policy; ONNX
/// Runtime reproduces the TorchSharp encoder on those weights within the policy's parity tolerance. It fails closed:
/// a check that cannot run (missing file, unreadable key, exception) is a failed check, and a failed prerequisite
/// fails the checks that depend on it.
/// </summary>
public static class ReleaseGate
{
    public static GateResult Evaluate(string releaseFolder, string policyPath, string publicKeyPath)
    {
        var checks = new List<GateCheck>();
        bool Run(string name, Func<(bool Passed, string Detail)> check, bool prerequisite = true)
        {
            if (!prerequisite)
            {
                checks.Add(new GateCheck(name, false, "not checked: an earlier check it depends on failed"));
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

        ReleaseFolder? folder = null;
        var digestsOk = Run("manifest digests", () =>
        {
            folder = ReleaseFolder.Open(releaseFolder, verifyDigests: true);
            return (true, $"{folder.Manifest!.Files.Count} files match manifest.json");
        });
        var manifestPath = Path.Combine(releaseFolder, ReleaseFileNames.Manifest);
        var signatureOk = Run("signature", () =>
            ManifestSignature.Verify(manifestPath, Path.Combine(releaseFolder, ManifestSignature.FileName), publicKeyPath), digestsOk);

        EncoderWeights? weights = null;
        Onnx.ModelProto? model = null;
        try
        {
            var certificatePath = Path.Combine(releaseFolder, ReleaseFileNames.Certificate);
            var weightsOk = Run("certified weights", () =>
            {
                if (!File.Exists(certificatePath)) return (false, $"{ReleaseFileNames.Certificate} is missing from the release");
                model = OnnxBertImporter.Read(folder!.ModelPath);
                weights = OnnxBertImporter.Import(model, folder.ModelPath);
                var certificate = CertificateSerializer.Read(certificatePath);
                var actual = weights.Digest();
                var expected = certificate.Context.Model.WeightDigest;
                return actual == expected
                    ? (true, $"model.onnx holds the certified weights {expected}")
                    : (false, $"model.onnx holds weights {actual}; the certificate is for {expected}");
            }, digestsOk && signatureOk);

            CertificationPolicy? policy = null;
            VerificationResult? verification = null;
            var integrityOk = Run("certificate integrity", () =>
            {
                policy = PolicyParser.Load(policyPath);
                verification = CertificateVerifier.Verify(certificatePath, weights, policy);
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
                var tolerance = policy?.RequiredParityTolerance ?? ParityOptions.DefaultTolerance;
                // Shapes that differ from any fixed one, within the model's position range.
                var lengths = new ParityOptions().SequenceLengths.Select(l => Math.Min(l, weights!.Config.MaxPositionEmbeddings)).Distinct().ToList();
                using var head = ReadClassifier(model!, folder!.ModelPath);
                var report = OnnxParityValidator.Compare(weights!, folder!.ModelPath, head?.Head, new ParityOptions { Tolerance = tolerance, SequenceLengths = lengths });
                return (report.Passed, $"max |ONNX Runtime − TorchSharp| = {report.MaxAbsDiff:E2} (tolerance {tolerance:E0})");
            }, weightsOk && integrityOk);
        }
        finally
        {
            weights?.Dispose();
        }
        return new GateResult(checks);
    }

    private sealed class OwnedHead(ClassificationHead head) : IDisposable
    {
        public ClassificationHead Head { get; } = head;

        public void Dispose()
        {
            Head.Weight.Dispose();
            Head.Bias?.Dispose();
        }
    }

    /// <summary>The classification head baked into the graph (its "logits" output), so parity covers it too.</summary>
    private static OwnedHead? ReadClassifier(Onnx.ModelProto model, string modelPath)
    {
        var weight = model.Graph.Initializer.FirstOrDefault(i => i.Name == ClassificationHead.WeightName);
        if (weight is null) return null;
        var bias = model.Graph.Initializer.FirstOrDefault(i => i.Name == ClassificationHead.BiasName);
        return new OwnedHead(new ClassificationHead(OnnxBertImporter.ToTensor(weight, modelPath), bias is null ? null : OnnxBertImporter.ToTensor(bias, modelPath)));
    }
}
