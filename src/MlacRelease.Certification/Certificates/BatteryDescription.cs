using MlacRelease.Certification.Batteries;

namespace MlacRelease.Certification.Certificates;

/// <summary>The battery, whole, with its digest and the built-in preset it equals (if any).</summary>
public sealed record BatteryDescription(string Name, string Digest, string? Preset, Battery Content);
