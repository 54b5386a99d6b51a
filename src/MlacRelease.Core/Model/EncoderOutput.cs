using TorchSharp;

namespace MlacRelease.Core.Model;

/// <summary>What the encoder returns, as Hugging Face's BertModel does: every token's last hidden state and the pooled [CLS].</summary>
public sealed class EncoderOutput(torch.Tensor lastHiddenState, torch.Tensor pooledOutput) : IDisposable
{
    /// <summary>[batch, sequence, hidden].</summary>
    public torch.Tensor LastHiddenState { get; } = lastHiddenState;

    /// <summary>[batch, hidden]: tanh(W·h_CLS + b).</summary>
    public torch.Tensor PooledOutput { get; } = pooledOutput;

    public void Dispose()
    {
        LastHiddenState.Dispose();
        PooledOutput.Dispose();
    }
}
