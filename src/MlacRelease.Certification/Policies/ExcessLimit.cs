using MlacRelease.Certification.Batteries;

namespace MlacRelease.Certification.Policies;

/// <summary>The most the attacker's best accuracy on the model may exceed its best on the random-init twin at a data
/// size (null size: every size without its own limit).</summary>
public sealed record ExcessLimit(AttackerDataSize? DataSize, double MaxExcess);
