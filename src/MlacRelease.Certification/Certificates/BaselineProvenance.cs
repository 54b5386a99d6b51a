namespace MlacRelease.Certification.Certificates;

/// <summary>
/// Where the reference arms' results came from: computed in this certification or reused from the baseline cache.
/// Outside the integrity digest on purpose: it says how the numbers were obtained, not what they are, so a
/// certificate with cached baselines has the same bytes as the uncached one everywhere else, integrity included.
/// The keys are checked by <see cref="CertificateVerifier"/>: each recomputes from the context and the attack-code version.
/// </summary>
public sealed record BaselineProvenance(string AttackCodeVersion, IReadOnlyList<BaselineArm> Arms);
