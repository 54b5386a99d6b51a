namespace MlacRelease.Certification.Attacks;

/// <summary>The harmless first phase of a benign-then-harmful attack: full fine-tuning on the desired task.</summary>
/// <param name="Training">How the phase trains (its own optimiser and schedule; state is not carried into phase two).</param>
/// <param name="Examples">Desired-task examples used (desired-task data is assumed plentiful, so this is not the attacker's n).</param>
public sealed record BenignPhase(FineTuneSettings Training, int Examples);
