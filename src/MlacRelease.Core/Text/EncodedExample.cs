namespace MlacRelease.Core.Text;

/// <summary>A tokenized example: token ids ([CLS] … [SEP]) and its label indices for the desired and harmful tasks.</summary>
public sealed record EncodedExample(int[] TokenIds, int Desired, int Harmful);
