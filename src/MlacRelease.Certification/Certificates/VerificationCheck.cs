namespace MlacRelease.Certification.Certificates;

/// <summary>One thing the verifier checked.</summary>
public sealed record VerificationCheck(string Name, bool Passed, string Detail);
