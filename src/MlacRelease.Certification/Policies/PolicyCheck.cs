namespace MlacRelease.Certification.Policies;

/// <summary>One requirement of the policy and how the certificate fares against it.</summary>
public sealed record PolicyCheck(string Name, CheckStatus Status, string Detail);
