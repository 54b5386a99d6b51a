using MlacRelease.Certification.Certificates;

namespace MlacRelease.Certification.Execution;

/// <summary>The outcome of a full certification: the certificate and where it and the report were written.</summary>
public sealed record CertificationResult(Certificate Certificate, string CertificatePath, string? ReportPath, int ComputedRuns, int ResumedRuns, TimeSpan Elapsed);
