using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using Onnx;
using static MlacRelease.Core.Model.BertParameterNames;
using static MlacRelease.Export.Onnx.OnnxGraphBuilder;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MlacRelease.Export.Onnx;

/// <summary>
/// Writes the BERT encoder of <see cref="BertEncoder"/> as an opset-17 ONNX graph, in the node patterns ONNX Runtime's
/// graph optimizer recognises: the Div/Erf/Add/Mul/Mul GELU after its bias Add becomes BiasGelu, MatMul then a scalar
/// Div (with the key Transpose) becomes FusedMatMul, and bias Add + residual Add + LayerNormalization is the
/// SkipLayerNormalization pattern (which ORT fuses only when the sequence axis is fixed). Head reshapes use constant
/// [0, 0, heads, head_dim] targets instead of PyTorch's Shape/Gather/Unsqueeze/Concat chains, so shapes stay known
/// to ORT's shape inference. <see cref="OnnxGraphFlavor.OnnxRuntimeFused"/> writes the fused kernels directly.
/// </summary>
/// <see cref="OnnxGraphFlavor.Int8"/> writes the portable layers with the Linear weights of <paramref name="quantized"/>.
internal sealed class BertGraphWriter(EncoderWeights weights, ClassificationHead? head, OnnxGraphFlavor flavor,
    IReadOnlyDictionary<string, QuantizedMatrix>? quantized = null)
{
    private readonly EncoderConfig _config = weights.Config;
    private readonly OnnxGraphBuilder _g = new("mlac_bert_encoder");

    public GraphProto Write()
    {
        _g.Input(OnnxIoNames.InputIds, DataType.Int64, OnnxIoNames.BatchAxis, OnnxIoNames.SequenceAxis);
        _g.Input(OnnxIoNames.AttentionMask, DataType.Int64, OnnxIoNames.BatchAxis, OnnxIoNames.SequenceAxis);
        _g.Input(OnnxIoNames.TokenTypeIds, DataType.Int64, OnnxIoNames.BatchAxis, OnnxIoNames.SequenceAxis);

        var x = Embeddings();
        var fused = flavor == OnnxGraphFlavor.OnnxRuntimeFused;
        var mask = fused ? Int32Mask() : AdditiveMask();
        for (var layer = 0; layer < _config.NumHiddenLayers; layer++)
        {
            var last = layer == _config.NumHiddenLayers - 1;
            x = fused ? FusedEncoderLayer(layer, x, mask, last) : EncoderLayer(layer, x, mask, last);
        }
        if (_config.NumHiddenLayers == 0) x = _g.Node("Identity", "/encoder/Identity", [x], OnnxIoNames.LastHiddenState);
        var pooled = Pooler(x);
        _g.Output(OnnxIoNames.LastHiddenState, DataType.Float, OnnxIoNames.BatchAxis, OnnxIoNames.SequenceAxis, _config.HiddenSize);
        _g.Output(OnnxIoNames.PoolerOutput, DataType.Float, OnnxIoNames.BatchAxis, _config.HiddenSize);
        if (head is not null)
        {
            Classifier(pooled, head);
            _g.Output(OnnxIoNames.Logits, DataType.Float, OnnxIoNames.BatchAxis, head.Classes);
        }
        return _g.Graph;
    }

    /// <summary>word + token type + position embeddings (Hugging Face's order), then LayerNorm.</summary>
    private string Embeddings()
    {
        var words = _g.Node("Gather", "/embeddings/word_embeddings/Gather",
            [_g.Weight(WordEmbeddings, weights[WordEmbeddings]), OnnxIoNames.InputIds]);
        var types = _g.Node("Gather", "/embeddings/token_type_embeddings/Gather",
            [_g.Weight(TokenTypeEmbeddings, weights[TokenTypeEmbeddings]), OnnxIoNames.TokenTypeIds]);
        // Rows 0..sequence-1 of the position table: a Slice whose end is the input's sequence length.
        var length = _g.Node("Shape", "/embeddings/Shape", [OnnxIoNames.InputIds], Int("start", 1), Int("end", 2));
        var positions = _g.Node("Slice", "/embeddings/position_embeddings/Slice",
            [_g.Weight(PositionEmbeddings, weights[PositionEmbeddings]), _g.Int64s("/embeddings/Constant_zero", 0), length, _g.Int64s("/embeddings/Constant_axis", 0)]);
        var sum = _g.Node("Add", "/embeddings/Add", [words, types]);
        sum = _g.Node("Add", "/embeddings/Add_1", [sum, positions]);
        return LayerNorm("/embeddings/LayerNorm", "embeddings.LayerNorm", sum);
    }

    /// <summary>[batch, 1, 1, sequence]: 0 where attended, float32's lowest value where padded (as <see cref="BertEncoder"/>), shared by every layer.</summary>
    private string AdditiveMask()
    {
        var unsqueezed = _g.Node("Unsqueeze", "/mask/Unsqueeze", [OnnxIoNames.AttentionMask, _g.Int64s("/mask/Constant_axes", 1, 2)]);
        var keep = _g.Node("Cast", "/mask/Cast", [unsqueezed], Int("to", (long)DataType.Float));
        var drop = _g.Node("Sub", "/mask/Sub", [_g.FloatScalar("/mask/Constant_one", 1f), keep]);
        return _g.Node("Mul", "/mask/Mul", [drop, _g.FloatScalar("/mask/Constant_min", float.MinValue)]);
    }

    private string EncoderLayer(int layer, string x, string mask, bool last)
    {
        var prefix = $"/encoder/layer.{layer}";
        string Name(string suffix) => Layer(layer, suffix);

        // The int8 graph quantizes the layer input once for Q, K and V.
        var qkvInput = quantized is null ? null : QuantizeInput($"{prefix}/attention/self", x);
        string Projection(string name, string parameter) => qkvInput is null
            ? Linear($"{prefix}/attention/self/{name}", parameter, x)
            : QuantizedLinear($"{prefix}/attention/self/{name}", parameter, qkvInput);
        var q = Heads($"{prefix}/attention/self/query", Projection("query", Name(Query)), [0, 2, 1, 3]);
        var k = Heads($"{prefix}/attention/self/key", Projection("key", Name(Key)), [0, 2, 3, 1]);
        var v = Heads($"{prefix}/attention/self/value", Projection("value", Name(Value)), [0, 2, 1, 3]);
        var scores = _g.Node("MatMul", $"{prefix}/attention/self/MatMul", [q, k]);
        scores = _g.Node("Div", $"{prefix}/attention/self/Div", [scores, _g.FloatScalar($"{prefix}/attention/self/Constant_sqrt_head_dim", MathF.Sqrt(_config.HeadDim))]);
        scores = _g.Node("Add", $"{prefix}/attention/self/Add", [scores, mask]);
        var probabilities = _g.Node("Softmax", $"{prefix}/attention/self/Softmax", [scores], Int("axis", -1));
        var context = _g.Node("MatMul", $"{prefix}/attention/self/MatMul_1", [probabilities, v]);
        context = _g.Node("Transpose", $"{prefix}/attention/self/Transpose_context", [context], Ints("perm", 0, 2, 1, 3));
        context = _g.Node("Reshape", $"{prefix}/attention/self/Reshape_context",
            [context, _g.Int64s($"{prefix}/attention/self/Constant_hidden_shape", 0, 0, _config.HiddenSize)]);

        var attention = AnyLinear($"{prefix}/attention/output/dense", Name(AttentionOutput), context);
        var residual = _g.Node("Add", $"{prefix}/attention/output/Add", [attention, x]);
        x = LayerNorm($"{prefix}/attention/output/LayerNorm", Name(AttentionLayerNorm), residual);

        var intermediate = Activation($"{prefix}/intermediate", AnyLinear($"{prefix}/intermediate/dense", Name(Intermediate), x));
        var output = AnyLinear($"{prefix}/output/dense", Name(Output), intermediate);
        residual = _g.Node("Add", $"{prefix}/output/Add", [output, x]);
        return LayerNorm($"{prefix}/output/LayerNorm", Name(OutputLayerNorm), residual, last ? OnnxIoNames.LastHiddenState : null);
    }

    /// <summary>The 0/1 mask as int32 [batch, sequence], the form ONNX Runtime's Attention takes.</summary>
    private string Int32Mask() => _g.Node("Cast", "/mask/Cast", [OnnxIoNames.AttentionMask], Int("to", (long)DataType.Int32));

    /// <summary>
    /// One layer with ONNX Runtime's fused kernels: Attention (QKV projection, scaled dot product, mask and softmax in
    /// one node; Q, K and V weights concatenated in the graph), then MatMul + SkipLayerNormalization (bias, residual
    /// and LayerNorm in one pass), MatMul + BiasGelu, MatMul + SkipLayerNormalization.
    /// </summary>
    private string FusedEncoderLayer(int layer, string x, string mask, bool last)
    {
        var prefix = $"/encoder/layer.{layer}";
        string Name(string suffix) => Layer(layer, suffix);
        var weightsQkv = _g.Node("Concat", $"{prefix}/attention/self/Concat_weights",
            [_g.TransposedWeight(weights[Name(Query) + ".weight"]), _g.TransposedWeight(weights[Name(Key) + ".weight"]), _g.TransposedWeight(weights[Name(Value) + ".weight"])],
            Int("axis", 1));
        var biasQkv = _g.Node("Concat", $"{prefix}/attention/self/Concat_bias",
            [Bias(Name(Query)), Bias(Name(Key)), Bias(Name(Value))], Int("axis", 0));
        // The mask value is float32's lowest, as in the reference encoder (ORT's default is -10000).
        var context = _g.ContribNode("Attention", $"{prefix}/attention/self/Attention", [x, weightsQkv, biasQkv, mask], null,
            Int("num_heads", _config.NumAttentionHeads), Float("mask_filter_value", float.MinValue));

        var attention = _g.Node("MatMul", $"{prefix}/attention/output/dense/MatMul", [context, _g.TransposedWeight(weights[Name(AttentionOutput) + ".weight"])]);
        x = SkipLayerNorm($"{prefix}/attention/output", Name(AttentionOutput), Name(AttentionLayerNorm), attention, x, null);

        var intermediate = _g.Node("MatMul", $"{prefix}/intermediate/dense/MatMul", [x, _g.TransposedWeight(weights[Name(Intermediate) + ".weight"])]);
        var activated = FusedActivation($"{prefix}/intermediate", Name(Intermediate), intermediate);
        var output = _g.Node("MatMul", $"{prefix}/output/dense/MatMul", [activated, _g.TransposedWeight(weights[Name(Output) + ".weight"])]);
        return SkipLayerNorm($"{prefix}/output", Name(Output), Name(OutputLayerNorm), output, x, last ? OnnxIoNames.LastHiddenState : null);
    }

    /// <summary>LayerNorm(input + skip + bias), with the dense layer's bias and the LayerNorm's parameters under their Hugging Face names.</summary>
    private string SkipLayerNorm(string prefix, string dense, string layerNorm, string input, string skip, string? output) =>
        _g.ContribNode("SkipLayerNormalization", $"{prefix}/SkipLayerNormalization",
            [input, skip, _g.Weight(layerNorm + ".weight", weights[layerNorm + ".weight"]), _g.Weight(layerNorm + ".bias", weights[layerNorm + ".bias"]), Bias(dense)],
            output, Float("epsilon", (float)_config.LayerNormEps));

    private string FusedActivation(string prefix, string dense, string x) => _config.HiddenAct switch
    {
        "gelu" => _g.ContribNode("BiasGelu", $"{prefix}/BiasGelu", [x, Bias(dense)]),
        "gelu_new" or "gelu_pytorch_tanh" => _g.ContribNode("FastGelu", $"{prefix}/FastGelu", [x, Bias(dense)]),
        "relu" => _g.Node("Relu", $"{prefix}/Relu", [_g.Node("Add", $"{prefix}/dense/Add", [x, Bias(dense)])]),
        _ => throw new NotSupportedException($"hidden_act '{_config.HiddenAct}' cannot be exported"),
    };

    private string Bias(string parameter) => _g.Weight(parameter + ".bias", weights[parameter + ".bias"]);

    /// <summary>[batch, sequence, hidden] → [batch, heads, sequence, head_dim] (or, for keys, [batch, heads, head_dim, sequence]).</summary>
    private string Heads(string prefix, string projected, long[] perm)
    {
        var split = _g.Node("Reshape", $"{prefix}/Reshape",
            [projected, _g.Int64s($"{prefix}/Constant_heads_shape", 0, 0, _config.NumAttentionHeads, _config.HeadDim)]);
        return _g.Node("Transpose", $"{prefix}/Transpose", [split], Ints("perm", perm));
    }

    /// <summary>x·Wᵀ + b as MatMul (weight stored transposed, renamed) then Add of the bias under its Hugging Face name.</summary>
    private string Linear(string prefix, string parameter, string x)
    {
        var product = _g.Node("MatMul", $"{prefix}/MatMul", [x, _g.TransposedWeight(weights[parameter + ".weight"])]);
        return _g.Node("Add", $"{prefix}/Add", [product, _g.Weight(parameter + ".bias", weights[parameter + ".bias"])]);
    }

    /// <summary>A Linear in the graph's flavor: fp32 MatMul + Add, or (int8) its input quantized, then the int8 product.</summary>
    private string AnyLinear(string prefix, string parameter, string x) =>
        quantized is null ? Linear(prefix, parameter, x) : QuantizedLinear(prefix, parameter, QuantizeInput(prefix, x));

    /// <summary>DynamicQuantizeLinear: x → (uint8 values, scale, zero point), per tensor.</summary>
    private string[] QuantizeInput(string prefix, string x) => _g.MultiOutputNode("DynamicQuantizeLinear", $"{prefix}/DynamicQuantizeLinear", [x], 3);

    /// <summary>
    /// x·Wᵀ + b with W in int8, in the pattern ONNX Runtime's quantizer writes and its optimizer fuses (MatMulInteger →
    /// Cast → Mul by (input scale · weight scales) → Add bias becomes MatMulIntegerToFloat, then DynamicQuantizeMatMul when
    /// its DynamicQuantizeLinear feeds nothing else). The weight's zero point is 0 and left out (MatMulInteger's default).
    /// </summary>
    private string QuantizedLinear(string prefix, string parameter, string[] input)
    {
        var matrix = quantized![parameter + ".weight"];
        var (values, scales) = _g.QuantizedWeight(matrix);
        var product = _g.Node("MatMulInteger", $"{prefix}/MatMulInteger", [input[0], values, input[2]]);
        var asFloat = _g.Node("Cast", $"{prefix}/Cast", [product], Int("to", (long)DataType.Float));
        var scale = _g.Node("Mul", $"{prefix}/Mul_scales", [input[1], scales]);
        var scaled = _g.Node("Mul", $"{prefix}/Mul", [asFloat, scale]);
        return _g.Node("Add", $"{prefix}/Add", [scaled, _g.Weight(parameter + ".bias", weights[parameter + ".bias"])]);
    }

    private string LayerNorm(string name, string parameter, string x, string? output = null) =>
        _g.Node("LayerNormalization", name,
            [x, _g.Weight(parameter + ".weight", weights[parameter + ".weight"]), _g.Weight(parameter + ".bias", weights[parameter + ".bias"])],
            output, Int("axis", -1), Float("epsilon", (float)_config.LayerNormEps));

    private string Activation(string prefix, string x)
    {
        switch (_config.HiddenAct)
        {
            case "gelu":
            {
                // Exact GELU, x·0.5·(1 + erf(x/√2)), in the node order PyTorch exports, which ORT fuses into Gelu/BiasGelu.
                var scaled = _g.Node("Div", $"{prefix}/Div", [x, _g.FloatScalar($"{prefix}/Constant_sqrt2", MathF.Sqrt(2f))]);
                var erf = _g.Node("Erf", $"{prefix}/Erf", [scaled]);
                var onePlus = _g.Node("Add", $"{prefix}/Add", [erf, _g.FloatScalar($"{prefix}/Constant_one", 1f)]);
                var product = _g.Node("Mul", $"{prefix}/Mul", [x, onePlus]);
                return _g.Node("Mul", $"{prefix}/Mul_1", [product, _g.FloatScalar($"{prefix}/Constant_half", 0.5f)]);
            }
            case "gelu_new" or "gelu_pytorch_tanh":
            {
                // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the pattern ORT fuses into FastGelu.
                var cube = _g.Node("Pow", $"{prefix}/Pow", [x, _g.FloatScalar($"{prefix}/Constant_three", 3f)]);
                var scaledCube = _g.Node("Mul", $"{prefix}/Mul", [cube, _g.FloatScalar($"{prefix}/Constant_coefficient", 0.044715f)]);
                var inner = _g.Node("Add", $"{prefix}/Add", [x, scaledCube]);
                inner = _g.Node("Mul", $"{prefix}/Mul_1", [inner, _g.FloatScalar($"{prefix}/Constant_sqrt_2_over_pi", MathF.Sqrt(2f / MathF.PI))]);
                var tanh = _g.Node("Tanh", $"{prefix}/Tanh", [inner]);
                var onePlus = _g.Node("Add", $"{prefix}/Add_1", [tanh, _g.FloatScalar($"{prefix}/Constant_one", 1f)]);
                var half = _g.Node("Mul", $"{prefix}/Mul_2", [x, _g.FloatScalar($"{prefix}/Constant_half", 0.5f)]);
                return _g.Node("Mul", $"{prefix}/Mul_3", [half, onePlus]);
            }
            case "relu":
                return _g.Node("Relu", $"{prefix}/Relu", [x]);
            default:
                throw new NotSupportedException($"hidden_act '{_config.HiddenAct}' cannot be exported");
        }
    }

    /// <summary>tanh(W·h[CLS] + b) with the Hugging Face weight as-is (Gemm transB=1).</summary>
    private string Pooler(string hidden)
    {
        var cls = _g.Node("Gather", "/pooler/Gather", [hidden, _g.Int64Scalar("/pooler/Constant_cls_index", 0)], Int("axis", 1));
        var dense = _g.Node("Gemm", "/pooler/dense/Gemm",
            [cls, _g.Weight(PoolerWeight, weights[PoolerWeight]), _g.Weight(PoolerBias, weights[PoolerBias])], Int("transB", 1));
        return _g.Node("Tanh", "/pooler/activation/Tanh", [dense], OnnxIoNames.PoolerOutput);
    }

    private void Classifier(string pooled, ClassificationHead classifier)
    {
        List<string> inputs = [pooled, _g.Weight(ClassificationHead.WeightName, classifier.Weight)];
        if (classifier.Bias is not null) inputs.Add(_g.Weight(ClassificationHead.BiasName, classifier.Bias));
        _g.Node("Gemm", "/classifier/Gemm", inputs, OnnxIoNames.Logits, Int("transB", 1));
    }
}
