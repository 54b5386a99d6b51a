namespace MlacRelease.Certification.Attacks;

/// <summary>The attacker's accuracy on the tuning split after <paramref name="Step"/> optimiser steps.</summary>
public sealed record CurvePoint(int Step, double TuneAccuracy);
