namespace MlacRelease.Inference;

/// <summary>How a sentence embedding is taken from the encoder's outputs.</summary>
public enum Pooling
{
    /// <summary>The last hidden state of [CLS].</summary>
    Cls,

    /// <summary>The mean of the last hidden states of the real (unpadded) tokens; what sentence-transformers models use.</summary>
    Mean,

    /// <summary>pooler_output: tanh(W·h[CLS] + b), BERT's pooled representation (what a classification head reads).</summary>
    Pooler,
}
