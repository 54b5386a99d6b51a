using MlacRelease.Common.Text;

namespace MlacRelease.Export.Validation;

/// <summary>How an export is checked against the TorchSharp encoder (Hugging Face Optimum's export validation, here).</summary>
public sealed record ParityOptions
{
    public const double DefaultTolerance = 1e-4;

    /// <summary>The tolerance for an int8 graph against its simulated-quantization reference: both quantize every Linear
    /// input to uint8 the same way, but fp32 sums in another order can move a value across a rounding boundary, which
    /// shifts it by one quantization step; measured worst cases on MiniLM-sized encoders stay well under this.</summary>
    public const double Int8Tolerance = 5e-2;

    /// <summary>Largest absolute difference accepted in any output element.</summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    /// <summary>Batch sizes of the synthetic batches; none is a fixed shape of the graph, so dynamic axes get exercised.</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [1, 3, 6];

    /// <summary>Padded lengths of the synthetic batches (rows are shorter at random, so padding is masked).</summary>
    public IReadOnlyList<int> SequenceLengths { get; init; } = [5, 17, 40];

    public int Seed { get; init; } = 20240611;

    /// <summary>Real sentences to run as well, tokenized by <see cref="Tokenizer"/>, in batches of the sizes above.</summary>
    public IReadOnlyList<string>? Texts { get; init; }

    public BertTextTokenizer? Tokenizer { get; init; }
}
