namespace MlacRelease.Certification.Selection;

/// <summary>One checkpoint a training run kept for selection: its outer step and its Hugging Face model folder.</summary>
public sealed record SelectionCandidate(long Step, string Folder);
