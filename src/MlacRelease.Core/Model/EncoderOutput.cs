using TorchSharp;

namespace MlacRelease.Core.Model;

/// <summary>What the encoder returns, as Hugging Face's BertModel does: every token's last hidden state and the pooled [CLS];
/// on request also every layer's hidden states.</summary>
public sealed class EncoderOutput(torch.Tensor lastHiddenState, torch.Tensor pooledOutput, IReadOnlyList<torch.Tensor>? hiddenStates = null) : IDisposable
{
    /// <summary>[batch, sequence, hidden].</summary>
    public torch.Tensor LastHiddenState { get; } = lastHiddenState;

    /// <summary>[batch, hidden]: tanh(W·h_CLS + b).</summary>
    public torch.Tensor PooledOutput { get; } = pooledOutput;

    /// <summary>As Hugging Face's <c>output_hidden_states</c>: the embeddings' output, then each layer's output
    /// ([batch, sequence, hidden] each, num_hidden_layers + 1 in all, the last one is <see cref="LastHiddenState"/>);
    /// empty unless the forward was asked for them.</summary>
    public IReadOnlyList<torch.Tensor> HiddenStates { get; } = hiddenStates ?? [];

    public void Dispose()
    {
        LastHiddenState.Dispose();
        PooledOutput.Dispose();
        foreach (var hidden in HiddenStates.Where(h => !ReferenceEquals(h, LastHiddenState))) hidden.Dispose();
    }
}
