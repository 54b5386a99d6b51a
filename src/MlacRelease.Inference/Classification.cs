namespace MlacRelease.Inference;

/// <summary>A text's class: the most probable index, its label when the model names its classes, and every probability.</summary>
public sealed record Classification(int Index, string? Label, float[] Probabilities, float[] Logits)
{
    public float Confidence => Probabilities[Index];
}
