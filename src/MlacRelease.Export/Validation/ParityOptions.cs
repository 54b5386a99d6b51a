using MlacRelease.Common.Text;

namespace MlacRelease.Export.Validation;

/// <summary>How an export is checked against the TorchSharp encoder (Hugging Face Optimum's export validation, here).</summary>
public sealed record ParityOptions
{
    public const double DefaultTolerance = 1e-4;

    /// <summary>The tolerance for an int8 graph against its simulated-quantization reference. Both quantize every Linear
    /// input to uint8 the same way, but fp32 sums in another order move a value across a rounding boundary now and
    /// then, which shifts it by a whole quantization step, and later layers carry that on: on the 2-layer MiniLM the
    /// worst element of last_hidden_state (padded synthetic batches) differed by 0.22 while pooler_output and logits
    /// stayed within 3e-3. This bounds "runs the int8 encoder of these weights", not fp32 equality; that the graph
    /// holds exactly the certified int8 weights is the structural check's job.</summary>
    public const double Int8Tolerance = 0.5;

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
