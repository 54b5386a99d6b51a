namespace MlacRelease.Common.Text;

/// <summary>
/// The special tokens of a BERT vocabulary, as Microsoft.ML.Tokenizers' BertTokenizer and Hugging Face's BERT
/// tokenizers name them by default. A release spells them exactly so, which keeps both tokenizers in agreement
/// without passing the strings around.
/// </summary>
public static class BertSpecialTokens
{
    public const string Pad = "[PAD]";
    public const string Unknown = "[UNK]";
    public const string Cls = "[CLS]";
    public const string Sep = "[SEP]";
    public const string Mask = "[MASK]";

    /// <summary>The ones a vocabulary must hold for [CLS] text [SEP] encoding with padding.</summary>
    public static IReadOnlyList<string> Required { get; } = [Pad, Unknown, Cls, Sep];

    /// <summary>Every special token a release writes when the vocabulary has it, with its Hugging Face role name.</summary>
    public static IReadOnlyList<(string Role, string Token)> Roles { get; } =
        [("unk_token", Unknown), ("sep_token", Sep), ("pad_token", Pad), ("cls_token", Cls), ("mask_token", Mask)];
}
