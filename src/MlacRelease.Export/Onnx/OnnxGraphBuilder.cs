using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Export.Onnx;

/// <summary>
/// Appends nodes and initializers to an ONNX graph with unique names. Knows nothing about BERT: the encoder's shape
/// lives in <see cref="BertGraphWriter"/>, this type only keeps the protobuf bookkeeping out of it.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _matMulWeights;

    public OnnxGraphBuilder(string name) => Graph = new GraphProto { Name = name };

    public GraphProto Graph { get; }

    /// <summary>A float32 initializer holding <paramref name="tensor"/>'s exact bytes (row-major, little-endian).</summary>
    public string Weight(string name, Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32) throw new ArgumentException($"tensor '{name}': expected float32, got {tensor.dtype}");
        using var host = tensor.detach().cpu().contiguous();
        var proto = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(host.shape);
        proto.RawData = ByteString.CopyFrom(host.bytes);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>
    /// The right-hand side of a MatMul: a Linear weight [out, in] stored transposed as [in, out] under a non-Hugging-Face
    /// name, exactly as PyTorch's exporter does ("onnx::MatMul_n"). The importer recovers the name from the bias Add
    /// that follows, so both kinds of export read back the same way.
    /// </summary>
    public string TransposedWeight(Tensor linearWeight)
    {
        using var transposed = linearWeight.detach().t().contiguous();
        return Weight($"onnx::MatMul_{_matMulWeights++}", transposed);
    }

    /// <summary>The int8 right-hand side B [in, out] of a MatMulInteger and its per-column scales [out], named like
    /// <see cref="TransposedWeight"/> (the importer names them by the bias Add after the product).</summary>
    public (string Values, string Scales) QuantizedWeight(Core.Weights.QuantizedMatrix matrix)
    {
        var name = Claim($"onnx::MatMulInteger_{_matMulWeights++}");
        var values = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int8 };
        values.Dims.Add(matrix.Inputs);
        values.Dims.Add(matrix.Outputs);
        values.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(matrix.Values.AsSpan()));
        Graph.Initializer.Add(values);
        var scales = new TensorProto { Name = Claim(name + "_scale"), DataType = (int)TensorProto.Types.DataType.Float };
        scales.Dims.Add(matrix.Outputs);
        scales.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(matrix.Scales.AsSpan()));
        Graph.Initializer.Add(scales);
        return (values.Name, scales.Name);
    }

    public string Int64s(string name, params long[] values)
    {
        var proto = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        Graph.Initializer.Add(proto);
        return name;
    }

    public string Int64Scalar(string name, long value)
    {
        var proto = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Int64Data.Add(value);
        Graph.Initializer.Add(proto);
        return name;
    }

    public string FloatScalar(string name, float value)
    {
        var proto = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds a node with one output, named "<paramref name="name"/>_output_0" unless <paramref name="output"/>
    /// names it (a graph output), and returns that output's name.</summary>
    public string Node(string opType, string name, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Claim(name) };
        node.Input.AddRange(inputs);
        node.Output.Add(Claim(output ?? $"{name}_output_0"));
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node.Output[0];
    }

    /// <summary>A node with several outputs, named "<paramref name="name"/>_output_i".</summary>
    public string[] MultiOutputNode(string opType, string name, IReadOnlyList<string> inputs, int outputs)
    {
        var node = new NodeProto { OpType = opType, Name = Claim(name) };
        node.Input.AddRange(inputs);
        for (var i = 0; i < outputs; i++) node.Output.Add(Claim($"{name}_output_{i}"));
        Graph.Node.Add(node);
        return node.Output.ToArray();
    }

    public string Node(string opType, string name, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, name, inputs, null, attributes);

    /// <summary>A node of ONNX Runtime's contrib domain (com.microsoft).</summary>
    public string ContribNode(string opType, string name, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        var result = Node(opType, name, inputs, output, attributes);
        Graph.Node[^1].Domain = ContribDomain;
        return result;
    }

    public const string ContribDomain = "com.microsoft";

    public void Input(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Input.Add(ValueInfo(Claim(name), type, dims));

    public void Output(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Output.Add(ValueInfo(name, type, dims));

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>Dims are numbers (fixed) or strings (symbolic, e.g. "batch").</summary>
    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                long value => new TensorShapeProto.Types.Dimension { DimValue = value },
                _ => throw new ArgumentException($"dimension {dim} of '{name}' is neither a number nor a symbol"),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private string Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"graph name '{name}' is used twice");
        return name;
    }
}
