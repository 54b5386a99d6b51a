namespace MlacRelease.Certification.Policies;

/// <summary>The policy's answer: passed only when no check failed.</summary>
public sealed record Verdict(bool Passed, IReadOnlyList<PolicyCheck> Checks);
