using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Text;

/// <summary>
/// How text becomes token ids; travels with a model (export metadata, release folder) so inference tokenizes the
/// way training did. Defaults match Hugging Face's uncased BERT tokenizer.
/// </summary>
public sealed record TokenizerSettings
{
    public bool LowerCase { get; init; } = true;

    /// <summary>Remove accents (Unicode non-spacing marks after NFD), as uncased BERT does.</summary>
    public bool StripAccents { get; init; } = true;

    public int MaxLength { get; init; } = 128;

    public TokenizerSettings Validate()
    {
        if (MaxLength is < 2 or > 1_048_576)
            throw new MlacInputException($"max length must be 2..1,048,576 (room for [CLS] and [SEP]), got {MaxLength}");
        return this;
    }
}
