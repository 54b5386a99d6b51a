namespace MlacRelease.Common.Release;

/// <summary>Input and output names of an exported encoder graph (Hugging Face's names, so Optimum-style callers work).</summary>
public static class OnnxIoNames
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";
    public const string LastHiddenState = "last_hidden_state";
    public const string PoolerOutput = "pooler_output";
    public const string Logits = "logits";

    /// <summary>The classification head's initializers (Hugging Face's BertForSequenceClassification names).</summary>
    public const string ClassifierWeight = "classifier.weight";
    public const string ClassifierBias = "classifier.bias";

    public const string BatchAxis = "batch";
    public const string SequenceAxis = "sequence";
}
