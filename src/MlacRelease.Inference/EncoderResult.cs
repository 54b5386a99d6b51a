namespace MlacRelease.Inference;

/// <summary>The raw outputs of one batch, row-major.</summary>
/// <param name="LastHiddenState">[batch, sequence, hidden].</param>
/// <param name="PoolerOutput">[batch, hidden].</param>
/// <param name="Logits">[batch, classes], when the model has a classification head.</param>
public sealed record EncoderResult(int BatchSize, int SequenceLength, int HiddenSize, float[] LastHiddenState, float[] PoolerOutput, float[]? Logits, int Classes)
{
    public ReadOnlySpan<float> Hidden(int row, int token) => LastHiddenState.AsSpan((row * SequenceLength + token) * HiddenSize, HiddenSize);

    public ReadOnlySpan<float> Pooled(int row) => PoolerOutput.AsSpan(row * HiddenSize, HiddenSize);

    public ReadOnlySpan<float> LogitsOf(int row) => Logits is null
        ? throw new InvalidOperationException("the model has no classification head (no logits output)")
        : Logits.AsSpan(row * Classes, Classes);
}
