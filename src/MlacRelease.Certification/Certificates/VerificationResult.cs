using MlacRelease.Certification.Policies;

namespace MlacRelease.Certification.Certificates;

/// <summary>The verifier's findings: valid only when every check passed. <see cref="PolicyVerdict"/> is the verdict
/// against a policy the caller supplied (it may differ from the one the certificate was made with).</summary>
public sealed record VerificationResult(bool Valid, IReadOnlyList<VerificationCheck> Checks, Certificate? Certificate, Verdict? PolicyVerdict)
{
    public IEnumerable<VerificationCheck> Failures => Checks.Where(c => !c.Passed);
}
