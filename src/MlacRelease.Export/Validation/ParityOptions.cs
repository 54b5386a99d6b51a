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

    /// <summary>An int8 graph may also differ from its reference by this many times the reference's own disagreement
    /// with itself computed in fp64 on the same batch, in both the largest and the mean |Δ|. Why: a rounding flip
    /// anywhere moves a value by a whole quantization step and later layers carry it on, so on an MLAC-trained encoder
    /// (issue 16, run b1, 6 × 40 synthetic batch, last_hidden_state) the fp32 reference differs from itself in fp64 by
    /// max 0.197, mean 0.0108, and ONNX Runtime differs from it by max 0.527, mean 0.0225 (2.7× and 2.1×: both sides
    /// carry noise of this kind); the fixed bound of 0.5 failed it. A doubled weight matrix is still refused (test).
    /// Small weight edits stay inside this noise, as they stayed inside the fixed bound: refusing them is the
    /// structural check's job.</summary>
    public const double Int8NoiseFactor = 3;

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
