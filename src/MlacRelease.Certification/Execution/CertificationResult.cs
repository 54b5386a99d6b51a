using MlacRelease.Certification.Certificates;

namespace MlacRelease.Certification.Execution;

/// <summary>The outcome of a full certification: the certificate and where it and the report were written.</summary>
/// <param name="CachedUnits">Reference-arm units taken from the baseline cache.</param>
public sealed record CertificationResult(Certificate Certificate, string CertificatePath, string? ReportPath, int ComputedRuns, int ResumedRuns, TimeSpan Elapsed,
    int CachedUnits = 0);
