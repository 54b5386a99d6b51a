namespace MlacRelease.Certification.Batteries;

/// <summary>How attackers are scored while they train.</summary>
/// <param name="Every">E: the attacker evaluates on the tuning split every E steps (and after the last).</param>
/// <param name="TuneExamples">Cap on the tuning split (stratified by harmful label); null for all of it.</param>
/// <param name="TestExamples">Cap on the test split (stratified); null for all of it.</param>
public sealed record EvaluationSettings(int Every, int? TuneExamples, int? TestExamples);
