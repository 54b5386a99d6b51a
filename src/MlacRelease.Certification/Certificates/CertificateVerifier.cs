using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Policies;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Certificates;

/// <summary>
/// Checks a certificate: that it is in canonical form, that its integrity digest, identity and battery digest
/// recompute, that its summary, worst case and verdict follow from the runs it records (so editing a number breaks
/// it even if the digest is recomputed), and, given weights, that it belongs to them (weight digest).
/// </summary>
public static class CertificateVerifier
{
    public static VerificationResult Verify(string certificatePath, EncoderWeights? weights = null, CertificationPolicy? policy = null) =>
        Verify(File.ReadAllBytes(certificatePath), certificatePath, weights, policy);

    public static VerificationResult Verify(byte[] bytes, string source, EncoderWeights? weights = null, CertificationPolicy? policy = null)
    {
        var checks = new List<VerificationCheck>();
        Certificate certificate;
        try
        {
            certificate = CertificateSerializer.FromBytes(bytes, source);
            checks.Add(new VerificationCheck("schema", true, certificate.Schema));
        }
        catch (Exception e) when (e is MlacInputException or InvalidDataException)
        {
            checks.Add(new VerificationCheck("schema", false, e.Message));
            return new VerificationResult(false, checks, null, null);
        }

        var canonical = CertificateSerializer.ToBytes(certificate);
        checks.Add(new VerificationCheck("canonical_form", canonical.AsSpan().SequenceEqual(bytes),
            canonical.AsSpan().SequenceEqual(bytes) ? "the file is the canonical serialisation of its content" : "the file is not in canonical form (edited or re-serialised)"));

        var digest = CertificateSerializer.ComputeDigest(certificate);
        var recorded = certificate.Integrity?.Digest;
        checks.Add(new VerificationCheck("integrity", certificate.Integrity?.Algorithm == CertificateIntegrity.CanonicalSha256 && recorded == digest,
            recorded == digest ? $"integrity digest {digest}" : $"recorded {recorded ?? "(none)"}, recomputed {digest}"));

        var identity = certificate.Context.Identity();
        checks.Add(new VerificationCheck("identity", identity == certificate.Identity, $"recorded {certificate.Identity}, recomputed {identity}"));

        var batteryDigest = certificate.Context.Battery.Content.Digest;
        checks.Add(new VerificationCheck("battery_digest", batteryDigest == certificate.Context.Battery.Digest,
            $"recorded {certificate.Context.Battery.Digest}, recomputed {batteryDigest}"));

        // The gate holds a release's tokenizer to data.max_length; the battery attacked inputs cut at its own max_length.
        // A certificate whose two differ would let a release run on longer inputs than any attack saw.
        var (dataLength, batteryLength) = (certificate.Context.Data.MaxLength, certificate.Context.Battery.Content.MaxLength);
        checks.Add(new VerificationCheck("max_length", dataLength == batteryLength, dataLength == batteryLength
            ? $"data and battery both cut inputs at {dataLength} tokens"
            : $"data.max_length {dataLength} is not the battery's max_length {batteryLength}"));

        try
        {
            var rebuilt = CertificateAssembler.Build(certificate.Context, certificate.Attacks, certificate.Retention);
            var numbers = Same(rebuilt.Search, certificate.Search) && Same(rebuilt.Summary, certificate.Summary) && Same(rebuilt.WorstCase, certificate.WorstCase);
            // The verdict's outcome is checked, not its wording: the detail strings explain, and may read differently
            // in another toolkit version without the judgement changing.
            var judgement = Same(Outcome(rebuilt.Verdict), Outcome(certificate.Verdict));
            checks.Add(new VerificationCheck("derived_results", numbers && judgement, (numbers, judgement) switch
            {
                (true, true) => "summary, worst case and verdict follow from the recorded runs",
                (false, _) => "summary, worst case or search description differ from what the recorded runs give",
                _ => "the verdict differs from what the recorded results and policy give",
            }));
        }
        catch (Exception e) when (e is MlacInputException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            checks.Add(new VerificationCheck("derived_results", false, $"cannot recompute from the recorded runs: {e.Message}"));
        }

        if (certificate.Provenance is { } provenance) checks.Add(CheckProvenance(certificate.Context, provenance));

        if (weights is not null)
        {
            var actual = weights.Digest();
            var expected = certificate.Context.Model.WeightDigest;
            checks.Add(new VerificationCheck("weights", actual == expected, actual == expected
                ? $"the weights have the certified digest {expected}"
                : $"the weights' digest {actual} is not the certified {expected}"));
        }

        Verdict? verdict = null;
        if (policy is not null)
        {
            var battery = certificate.Context.Battery;
            verdict = PolicyEvaluator.Evaluate(policy, battery.Content, battery.Digest, certificate.Summary, certificate.WorstCase,
                certificate.Context.Data, certificate.Context.References);
        }
        return new VerificationResult(checks.All(c => c.Passed), checks, certificate, verdict);
    }

    /// <summary>Both reference arms, in order, each with the key its inputs in the context give, and unit counts that
    /// add up to the arm's units in the plan.</summary>
    private static VerificationCheck CheckProvenance(CertificationContext context, BaselineProvenance provenance)
    {
        var roles = new[] { TargetRole.Pretrained, TargetRole.RandomInit };
        if (provenance.Arms.Count != roles.Length || !provenance.Arms.Select(a => a.Target).SequenceEqual(roles))
            return new VerificationCheck("baseline_provenance", false, "expected one arm for pretrained and one for random_init, in that order");
        var plan = UnitPlanner.Plan(context.Battery.Content, new DataShape(context.Data.AttackerTrainExamples, context.Data.TuneExamples, context.Data.TestExamples, 1));
        foreach (var arm in provenance.Arms)
        {
            var key = BaselineKeyInputs.Of(context, arm.Target, provenance.AttackCodeVersion).Key();
            if (arm.CacheKey != key)
                return new VerificationCheck("baseline_provenance", false, $"{arm.Target}: recorded cache key {arm.CacheKey}, recomputed {key}");
            var units = plan.Count(u => u.Target == arm.Target);
            if (arm.UnitsFromCache < 0 || arm.UnitsComputed < 0 || arm.UnitsFromCache + arm.UnitsComputed != units
                || arm.Source != BaselineArm.SourceOf(arm.UnitsFromCache, arm.UnitsComputed))
                return new VerificationCheck("baseline_provenance", false, $"{arm.Target}: {arm.UnitsFromCache} cached + {arm.UnitsComputed} computed units " +
                    $"('{arm.Source}') do not describe the arm's {units} units");
        }
        return new VerificationCheck("baseline_provenance", true,
            string.Join("; ", provenance.Arms.Select(a => $"{a.Target}: {a.Source} ({a.UnitsFromCache} cached), key {a.CacheKey}")));
    }

    private static bool Same<T>(T a, T b) => CanonicalJson.Serialize(a).AsSpan().SequenceEqual(CanonicalJson.Serialize(b));

    private static object? Outcome(Verdict? verdict) =>
        verdict is null ? null : new { verdict.Passed, Checks = verdict.Checks.Select(c => new { c.Name, c.Status }).ToList() };
}
