using MlacRelease.Common.Errors;
using MlacRelease.Core.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using static MlacRelease.Core.Model.BertParameterNames;

namespace MlacRelease.Core.Model;

/// <summary>
/// The BERT encoder as a pure function of an explicit name → tensor map (Hugging Face names). Nothing is held in
/// modules, so the same code runs on the released weights, on an attacker's "fast weights" inside a differentiable
/// inner loop, or on a LoRA-adapted view. Attention is explicit matmul + softmax: the fused kernel has no second
/// derivative on the CPU, and MLAC differentiates through the attacker's updates.
/// </summary>
public static class BertEncoder
{
    /// <param name="inputIds">[batch, sequence] int64 token ids.</param>
    /// <param name="attentionMask">[batch, sequence], 1 for real tokens and 0 for padding (any numeric dtype).</param>
    /// <param name="tokenTypeIds">[batch, sequence] int64; zeros when null.</param>
    /// <param name="inputsEmbeds">[batch, sequence, hidden] word embeddings to use instead of looking up
    /// <paramref name="inputIds"/> (lets a caller supply embeddings computed from row-wise fast weights).</param>
    /// <param name="outputHiddenStates">Also return every layer's hidden states (<see cref="EncoderOutput.HiddenStates"/>).</param>
    /// <param name="linearInputs">Applied to the input of every Linear inside the encoder layers (not the pooler): the
    /// reference for an int8 export simulates ONNX Runtime's dynamic activation quantization here.</param>
    public static EncoderOutput Forward(EncoderConfig config, IReadOnlyDictionary<string, Tensor> p, Tensor inputIds,
        Tensor attentionMask, Tensor? tokenTypeIds = null, Tensor? inputsEmbeds = null, bool outputHiddenStates = false,
        Func<Tensor, Tensor>? linearInputs = null)
    {
        CheckInputs(config, inputIds, attentionMask, tokenTypeIds, inputsEmbeds);
        using var scope = NewDisposeScope();
        var batch = inputIds.shape[0];
        var length = inputIds.shape[1];
        long hidden = config.HiddenSize;
        var wordEmbeddings = p[WordEmbeddings];
        var device = wordEmbeddings.device;

        var words = inputsEmbeds ?? wordEmbeddings.index_select(0, inputIds.reshape(-1)).view(batch, length, hidden);
        var positions = p[PositionEmbeddings].narrow(0, 0, length).unsqueeze(0);
        var types = tokenTypeIds is null
            ? p[TokenTypeEmbeddings].narrow(0, 0, 1).unsqueeze(0)
            : p[TokenTypeEmbeddings].index_select(0, tokenTypeIds.reshape(-1)).view(batch, length, hidden);
        var x = LayerNorm(words + positions + types, p, "embeddings.LayerNorm", config);

        // Additive mask as Hugging Face builds it: 0 where attended, the dtype's most negative value where padded.
        var dtype = x.dtype;
        var keep = attentionMask.to(dtype, device).view(batch, 1, 1, length);
        var additiveMask = keep.SubtractedFrom(1.0).Times(torch.finfo(dtype).min);

        var hiddenStates = outputHiddenStates ? new List<Tensor> { x } : null;
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            x = EncoderLayer(config, p, layer, x, additiveMask, batch, length, linearInputs);
            hiddenStates?.Add(x);
        }

        var cls = x.select(1, 0);
        var pooled = torch.tanh(nn.functional.linear(cls, p[PoolerWeight], p[PoolerBias]));
        // The last entry is x itself, moved out below (a second move would take it one scope further out).
        for (var i = 0; i < (hiddenStates?.Count ?? 0) - 1; i++) hiddenStates![i].MoveToOuterDisposeScope();
        return new EncoderOutput(x.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope(), hiddenStates);
    }

    private static Tensor EncoderLayer(EncoderConfig config, IReadOnlyDictionary<string, Tensor> p, int layer, Tensor x,
        Tensor additiveMask, long batch, long length, Func<Tensor, Tensor>? linearInputs)
    {
        Tensor LayerLinear(Tensor input, string prefix) => Linear(linearInputs is null ? input : linearInputs(input), p, prefix);
        long heads = config.NumAttentionHeads, headDim = config.HeadDim, hidden = config.HiddenSize;
        Tensor Heads(Tensor t) => t.view(batch, length, heads, headDim).transpose(1, 2);

        // Q, K and V read one input (as the int8 graph quantizes it once for all three).
        var qkvInput = linearInputs is null ? x : linearInputs(x);
        var q = Heads(Linear(qkvInput, p, Layer(layer, Query)));
        var k = Heads(Linear(qkvInput, p, Layer(layer, Key)));
        var v = Heads(Linear(qkvInput, p, Layer(layer, Value)));
        var scores = torch.matmul(q, k.transpose(-1, -2)).Over(Math.Sqrt(headDim)) + additiveMask;
        var probabilities = torch.softmax(scores, -1);
        var context = torch.matmul(probabilities, v).transpose(1, 2).reshape(batch, length, hidden);
        var attention = LayerLinear(context, Layer(layer, AttentionOutput));
        x = LayerNorm(attention + x, p, Layer(layer, AttentionLayerNorm), config);

        var intermediate = Activation(LayerLinear(x, Layer(layer, Intermediate)), config.HiddenAct);
        var output = LayerLinear(intermediate, Layer(layer, Output));
        return LayerNorm(output + x, p, Layer(layer, OutputLayerNorm), config);
    }

    private static Tensor Linear(Tensor x, IReadOnlyDictionary<string, Tensor> p, string prefix) =>
        nn.functional.linear(x, p[prefix + ".weight"], p[prefix + ".bias"]);

    private static Tensor LayerNorm(Tensor x, IReadOnlyDictionary<string, Tensor> p, string prefix, EncoderConfig config) =>
        nn.functional.layer_norm(x, [config.HiddenSize], p[prefix + ".weight"], p[prefix + ".bias"], config.LayerNormEps);

    private static Tensor Activation(Tensor x, string name) => name switch
    {
        "gelu" => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => x.Times(0.5) * torch.tanh((x + x.Pow(3).Times(0.044715)).Times(Math.Sqrt(2.0 / Math.PI))).Plus(1.0),
        "relu" => nn.functional.relu(x),
        _ => throw new ArgumentException($"unsupported hidden_act '{name}'"),
    };

    // Shapes and dtypes are checked here, in .NET, because a libtorch error inside a later autograd call can end the
    // whole process instead of surfacing as an exception (platform-notes).
    private static void CheckInputs(EncoderConfig config, Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds, Tensor? inputsEmbeds)
    {
        if (inputIds.dim() != 2) throw new ArgumentException($"input_ids must be [batch, sequence], got [{string.Join(", ", inputIds.shape)}]");
        if (inputIds.dtype != ScalarType.Int64) throw new ArgumentException($"input_ids must be int64, got {inputIds.dtype}");
        var shape = inputIds.shape;
        if (shape[1] < 1 || shape[1] > config.MaxPositionEmbeddings)
            throw new MlacInputException($"sequence length {shape[1]} is outside 1..{config.MaxPositionEmbeddings} (max_position_embeddings)");
        if (!attentionMask.shape.SequenceEqual(shape))
            throw new ArgumentException($"attention_mask shape [{string.Join(", ", attentionMask.shape)}] differs from input_ids [{string.Join(", ", shape)}]");
        if (tokenTypeIds is not null && (!tokenTypeIds.shape.SequenceEqual(shape) || tokenTypeIds.dtype != ScalarType.Int64))
            throw new ArgumentException("token_type_ids must be int64 with the shape of input_ids");
        if (inputsEmbeds is not null && (inputsEmbeds.dim() != 3 || inputsEmbeds.shape[0] != shape[0]
            || inputsEmbeds.shape[1] != shape[1] || inputsEmbeds.shape[2] != config.HiddenSize))
            throw new ArgumentException($"inputs_embeds must be [{shape[0]}, {shape[1]}, {config.HiddenSize}]");
    }
}
