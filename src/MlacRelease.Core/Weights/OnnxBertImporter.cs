using System.Runtime.InteropServices;
using Google.Protobuf;
using MlacRelease.Core.Model;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Weights;

/// <summary>
/// Reads the weights of a BERT encoder out of an ONNX graph (a PyTorch export, or our own). Initializers that keep
/// their Hugging Face names map directly. Exporters rename the right-hand sides of MatMul nodes (to "927" and the
/// like) and store them transposed; those are recovered by following each MatMul to the bias Add that still names
/// its layer. The configuration is read off the weights' shapes and the graph's constants.
/// </summary>
public static class OnnxBertImporter
{
    /// <summary>ONNX files are protobuf messages, which cannot exceed 2 GiB without external data.</summary>
    public const long MaxModelBytes = int.MaxValue;

    public static EncoderWeights Import(string path, EncoderConfig? config = null) => Import(Read(path), path, config);

    public static EncoderWeights Import(byte[] model, string source, EncoderConfig? config = null) => Import(Parse(model, source), source, config);

    /// <summary>Reads an ONNX file, bounded by the 2 GiB an inline model can hold. For callers that need more of the
    /// graph than the encoder (a classification head) without parsing the file twice.</summary>
    public static ModelProto Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        if (info.Length > MaxModelBytes) throw new MlacInputException($"{path}: {info.Length} bytes exceeds the 2 GiB an inline ONNX model can hold");
        return Parse(File.ReadAllBytes(path), path);
    }

    public static ModelProto Parse(byte[] model, string source)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new MlacInputException($"{source}: not a valid ONNX model ({e.Message})", e);
        }
    }

    public static EncoderWeights Import(ModelProto proto, string source, EncoderConfig? config = null)
    {
        var graph = proto.Graph ?? throw new MlacInputException($"{source}: the model has no graph");
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer)
        {
            if (!initializers.TryAdd(init.Name, init)) throw new MlacInputException($"{source}: initializer '{init.Name}' appears twice");
        }
        // Every walk over the graph below reads a node's first output: a node without one (no operator of a BERT graph
        // has none) is refused here, once, instead of at each place that indexes it.
        if (graph.Node.FirstOrDefault(n => n.Output.Count == 0 || n.Output[0].Length == 0) is { } outputless)
            throw new MlacInputException($"{source}: node '{outputless.Name}' ({outputless.OpType}) has no output");

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, init) in initializers)
            {
                var canonical = BertParameterNames.Canonical(name);
                if (IsBertParameter(canonical)) Add(tensors, canonical, ToTensor(init, source), source);
            }
            foreach (var (name, weight) in RecoverRenamedWeights(graph, initializers, tensors.Keys))
            {
                using var transposed = ToTensor(initializers[weight], source);
                Add(tensors, name, transposed.t().contiguous(), source);
            }
            foreach (var (name, weight) in OnnxInt8Weights.Recover(graph, initializers, source))
            {
                Add(tensors, name, weight, source);
            }
            config ??= InferConfig(graph, initializers, tensors, source);
            return new EncoderWeights(config, tensors, source);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    private static bool IsBertParameter(string name) =>
        (name.StartsWith("embeddings.", StringComparison.Ordinal) && !name.EndsWith("position_ids", StringComparison.Ordinal))
        || name.StartsWith("encoder.layer.", StringComparison.Ordinal)
        || name.StartsWith("pooler.", StringComparison.Ordinal);

    private static void Add(Dictionary<string, Tensor> tensors, string name, Tensor tensor, string source)
    {
        if (!tensors.TryAdd(name, tensor))
        {
            tensor.Dispose();
            throw new MlacInputException($"{source}: two initializers map to parameter '{name}'");
        }
    }

    /// <summary>For every MatMul whose right operand is an initializer that carries no parameter name, the name of
    /// the layer is taken from the bias applied to its output ("….bias" → "….weight"): an Add (PyTorch exports and
    /// our portable graph) or the bias input of a fused SkipLayerNormalization / BiasGelu / FastGelu (our ONNX
    /// Runtime-fused graph). Q, K and V weights concatenated into an Attention node are named by the concatenated
    /// biases beside them.</summary>
    private static IEnumerable<(string Name, string Initializer)> RecoverRenamedWeights(GraphProto graph,
        IReadOnlyDictionary<string, TensorProto> initializers, IEnumerable<string> alreadyNamed)
    {
        var named = alreadyNamed.ToHashSet(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add(node);
            }
            foreach (var output in node.Output) producers.TryAdd(output, node);
        }
        bool IsRenamedMatrix(string name) =>
            initializers.TryGetValue(name, out var init) && init.Dims.Count == 2 && !IsBertParameter(BertParameterNames.Canonical(name));

        foreach (var node in graph.Node.Where(n => n.OpType == "MatMul" && n.Input.Count == 2))
        {
            var weight = node.Input[1];
            if (!IsRenamedMatrix(weight)) continue;
            if (!consumers.TryGetValue(node.Output[0], out var next)) continue;
            var bias = next.Where(n => n.OpType is "Add" or "SkipLayerNormalization" or "BiasGelu" or "FastGelu")
                .SelectMany(n => n.Input)
                .Select(BertParameterNames.Canonical)
                .FirstOrDefault(IsLinearBias);
            if (bias is null) continue;
            var name = bias[..^".bias".Length] + ".weight";
            if (named.Add(name)) yield return (name, weight);
        }

        foreach (var attention in graph.Node.Where(n => n.OpType == "Attention" && n.Input.Count >= 3))
        {
            if (!producers.TryGetValue(attention.Input[1], out var weights) || weights.OpType != "Concat"
                || !producers.TryGetValue(attention.Input[2], out var biases) || biases.OpType != "Concat"
                || weights.Input.Count != biases.Input.Count)
            {
                continue;
            }
            for (var i = 0; i < weights.Input.Count; i++)
            {
                var bias = BertParameterNames.Canonical(biases.Input[i]);
                if (!IsRenamedMatrix(weights.Input[i]) || !IsLinearBias(bias)) continue;
                var name = bias[..^".bias".Length] + ".weight";
                if (named.Add(name)) yield return (name, weights.Input[i]);
            }
        }
    }

    /// <summary>A Linear layer's bias (a LayerNorm's bias sits beside it in a fused SkipLayerNormalization).</summary>
    private static bool IsLinearBias(string name) =>
        name.EndsWith(".bias", StringComparison.Ordinal) && IsBertParameter(name) && !name.Contains("LayerNorm", StringComparison.Ordinal);

    private static EncoderConfig InferConfig(GraphProto graph, IReadOnlyDictionary<string, TensorProto> initializers,
        IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        Tensor Get(string name) => tensors.TryGetValue(name, out var t) ? t
            : throw new MlacInputException($"{source}: no tensor for '{name}', so the configuration cannot be inferred");
        var word = Get(BertParameterNames.WordEmbeddings);
        var hidden = (int)word.shape[1];
        var layers = 0;
        while (tensors.ContainsKey(BertParameterNames.Layer(layers, BertParameterNames.Query + ".weight"))) layers++;
        return new EncoderConfig
        {
            VocabSize = (int)word.shape[0],
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = InferHeads(graph, initializers, hidden, source),
            IntermediateSize = layers > 0 ? (int)Get(BertParameterNames.Layer(0, BertParameterNames.Intermediate + ".weight")).shape[0] : hidden * 4,
            MaxPositionEmbeddings = (int)Get(BertParameterNames.PositionEmbeddings).shape[0],
            TypeVocabSize = (int)Get(BertParameterNames.TokenTypeEmbeddings).shape[0],
            LayerNormEps = InferLayerNormEps(graph, initializers) ?? 1e-12,
            HiddenAct = InferActivation(graph),
        };
    }

    /// <summary>Exact GELU shows as Erf (or a fused Gelu/BiasGelu), the tanh approximation as Tanh or FastGelu,
    /// ReLU as Relu; Tanh alone is not enough (the pooler has one), so it is the fallback.</summary>
    private static string InferActivation(GraphProto graph)
    {
        var ops = graph.Node.Select(n => n.OpType).ToHashSet(StringComparer.Ordinal);
        if (ops.Contains("Erf") || ops.Contains("Gelu") || ops.Contains("BiasGelu")) return "gelu";
        if (ops.Contains("FastGelu")) return "gelu_new";
        if (ops.Contains("Relu")) return "relu";
        return "gelu_new";
    }

    /// <summary>The head count is the first operand of a Reshape target [batch, seq, heads, head_dim] with heads × head_dim = hidden.</summary>
    private static int InferHeads(GraphProto graph, IReadOnlyDictionary<string, TensorProto> initializers, int hidden, string source)
    {
        var constants = ScalarConstants(graph, initializers);
        foreach (var node in graph.Node.Where(n => n.OpType == "Concat"))
        {
            var values = node.Input.Select(i => constants.TryGetValue(i, out var v) ? v : (long?)null).ToList();
            for (var i = 0; i + 1 < values.Count; i++)
            {
                if (values[i] is long heads && values[i + 1] is long dim && heads > 0 && dim > 0 && heads * dim == hidden) return (int)heads;
            }
        }
        foreach (var node in graph.Node.Where(n => n.OpType is "Reshape"))
        {
            if (node.Input.Count == 2 && initializers.TryGetValue(node.Input[1], out var shape) && shape.DataType == (int)TensorProto.Types.DataType.Int64)
            {
                var dims = Int64s(shape);
                if (dims.Length == 4 && dims[2] > 0 && dims[3] > 0 && dims[2] * dims[3] == hidden) return (int)dims[2];
            }
        }
        foreach (var node in graph.Node.Where(n => n.OpType == "Attention"))
        {
            var attr = node.Attribute.FirstOrDefault(a => a.Name == "num_heads");
            if (attr is not null) return (int)attr.I;
        }
        throw new MlacInputException($"{source}: cannot infer num_attention_heads from the graph; pass a configuration (config.json)");
    }

    private static double? InferLayerNormEps(GraphProto graph, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().n, StringComparer.Ordinal);
        foreach (var ln in graph.Node.Where(n => n.OpType is "LayerNormalization" or "SkipLayerNormalization"))
        {
            var eps = ln.Attribute.FirstOrDefault(a => a.Name == "epsilon");
            if (eps is not null) return eps.F;
        }
        foreach (var sqrt in graph.Node.Where(n => n.OpType == "Sqrt"))
        {
            if (!producers.TryGetValue(sqrt.Input[0], out var add) || add.OpType != "Add") continue;
            foreach (var input in add.Input)
            {
                if (producers.TryGetValue(input, out var c) && c.OpType == "Constant" && c.Attribute.Count > 0 && c.Attribute[0].T is { } t
                    && t.DataType == (int)TensorProto.Types.DataType.Float)
                {
                    return Floats(t)[0];
                }
                if (initializers.TryGetValue(input, out var init) && init.DataType == (int)TensorProto.Types.DataType.Float && init.Dims.Aggregate(1L, (a, b) => a * b) == 1)
                {
                    return Floats(init)[0];
                }
            }
        }
        return null;
    }

    private static Dictionary<string, long> ScalarConstants(GraphProto graph, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, t) in initializers)
        {
            if (t.DataType == (int)TensorProto.Types.DataType.Int64 && t.Dims.Aggregate(1L, (a, b) => a * b) == 1) result[name] = Int64s(t)[0];
        }
        foreach (var node in graph.Node.Where(n => n.OpType == "Constant" && n.Attribute.Count > 0))
        {
            var t = node.Attribute[0].T;
            if (t is not null && t.DataType == (int)TensorProto.Types.DataType.Int64 && t.Dims.Aggregate(1L, (a, b) => a * b) == 1) result[node.Output[0]] = Int64s(t)[0];
        }
        return result;
    }

    public static Tensor ToTensor(TensorProto init, string source)
    {
        if (init.DataLocation == TensorProto.Types.DataLocation.External)
            throw new MlacInputException($"{source}: initializer '{init.Name}' uses external data, which this importer does not read");
        var shape = init.Dims.ToArray();
        if (shape.Any(d => d < 0)) throw new MlacInputException($"{source}: initializer '{init.Name}' has a negative dimension");
        long count = 1;
        foreach (var d in shape) count = checked(count * d);
        switch ((TensorProto.Types.DataType)init.DataType)
        {
            case TensorProto.Types.DataType.Float:
            {
                var values = Floats(init);
                if (values.Length != count)
                    throw new MlacInputException($"{source}: initializer '{init.Name}': {values.Length} values for shape [{string.Join(", ", shape)}]");
                return torch.tensor(values, shape, ScalarType.Float32);
            }
            case TensorProto.Types.DataType.Double:
            {
                var values = init.RawData.Length > 0 ? MemoryMarshal.Cast<byte, double>(init.RawData.Span).ToArray() : init.DoubleData.ToArray();
                if (values.Length != count)
                    throw new MlacInputException($"{source}: initializer '{init.Name}': {values.Length} values for shape [{string.Join(", ", shape)}]");
                return torch.tensor(values, shape, ScalarType.Float64);
            }
            default:
                throw new MlacInputException($"{source}: initializer '{init.Name}': data type {(TensorProto.Types.DataType)init.DataType} is not a supported weight type (float, double)");
        }
    }

    private static float[] Floats(TensorProto t)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        if (t.RawData.Length % sizeof(float) != 0) throw new MlacInputException($"initializer '{t.Name}': raw data length {t.RawData.Length} is not a multiple of 4");
        return t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
    }

    private static long[] Int64s(TensorProto t) =>
        t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : t.Int64Data.ToArray();
}
