using System.Runtime.InteropServices;
using MlacRelease.Core.Model;
using Onnx;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Weights;

/// <summary>
/// Linear weights stored as int8 in an ONNX graph, read back as the fp32 weights ONNX Runtime computes with:
/// W = ((q − zero_point)·scale)ᵀ, per column of B (or per tensor), in fp32. Recognised forms: MatMulInteger → Cast → Mul
/// by (input scale · weight scale) → Add bias (what this toolkit's int8 export and ONNX Runtime's quantizer write), and
/// ONNX Runtime's fused DynamicQuantizeMatMul / MatMulIntegerToFloat. The layer is named by its bias, as for fp32
/// MatMuls.
/// </summary>
internal static class OnnxInt8Weights
{
    public static IEnumerable<(string Name, Tensor Weight)> Recover(GraphProto graph, IReadOnlyDictionary<string, TensorProto> initializers, string source)
    {
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
        NodeProto? Single(string output, string opType) =>
            consumers.TryGetValue(output, out var list) && list.Count == 1 && list[0].OpType == opType ? list[0] : null;
        TensorProto? Initializer(NodeProto node, int index) =>
            index < node.Input.Count && initializers.TryGetValue(node.Input[index], out var t) ? t : null;

        foreach (var node in graph.Node)
        {
            TensorProto? values, scales, zeroPoints;
            string? bias;
            switch (node.OpType)
            {
                case "MatMulInteger" when node.Input.Count >= 2:
                {
                    values = Initializer(node, 1);
                    zeroPoints = Initializer(node, 3);
                    var cast = Single(node.Output[0], "Cast");
                    var mul = cast is null ? null : Single(cast.Output[0], "Mul");
                    var scaleInput = mul?.Input.FirstOrDefault(i => i != cast!.Output[0]);
                    scales = null;
                    if (scaleInput is not null && producers.TryGetValue(scaleInput, out var product) && product.OpType == "Mul")
                        scales = product.Input.Select(i => initializers.GetValueOrDefault(i)).FirstOrDefault(t => t is not null);
                    else if (scaleInput is not null) scales = initializers.GetValueOrDefault(scaleInput);
                    bias = mul is null ? null : BiasAfter(mul.Output[0]);
                    break;
                }
                case "DynamicQuantizeMatMul" when node.Input.Count >= 3:
                    (values, scales, zeroPoints) = (Initializer(node, 1), Initializer(node, 2), Initializer(node, 3));
                    bias = node.Input.Count > 4 && node.Input[4].Length > 0 ? node.Input[4] : BiasAfter(node.Output[0]);
                    break;
                case "MatMulIntegerToFloat" when node.Input.Count >= 4:
                    (values, scales, zeroPoints) = (Initializer(node, 1), Initializer(node, 3), Initializer(node, 5));
                    bias = node.Input.Count > 6 && node.Input[6].Length > 0 ? node.Input[6] : BiasAfter(node.Output[0]);
                    break;
                default:
                    continue;
            }
            if (values is null || scales is null || bias is null) continue;
            var canonical = BertParameterNames.Canonical(bias);
            if (!canonical.EndsWith(".bias", StringComparison.Ordinal) || canonical.Contains("LayerNorm", StringComparison.Ordinal)) continue;
            yield return (canonical[..^".bias".Length] + ".weight", Dequantize(values, scales, zeroPoints, source));
        }

        string? BiasAfter(string output) =>
            consumers.TryGetValue(output, out var list) && list.Count == 1 && list[0].OpType == "Add"
                ? list[0].Input.FirstOrDefault(i => i != output && initializers.ContainsKey(i))
                : null;
    }

    private static Tensor Dequantize(TensorProto values, TensorProto scales, TensorProto? zeroPoints, string source)
    {
        if (values.DataType != (int)DataType.Int8 || values.Dims.Count != 2)
            throw new MlacInputException($"{source}: quantized weight '{values.Name}' must be a 2-D int8 tensor, got {(DataType)values.DataType} of rank {values.Dims.Count}");
        if (scales.DataType != (int)DataType.Float) throw new MlacInputException($"{source}: weight scale '{scales.Name}' must be float32");
        if (zeroPoints is not null && zeroPoints.DataType != (int)DataType.Int8) throw new MlacInputException($"{source}: weight zero point '{zeroPoints.Name}' must be int8");
        var (inputs, outputs) = (values.Dims[0], values.Dims[1]);
        if (inputs < 1 || outputs < 1) throw new MlacInputException($"{source}: quantized weight '{values.Name}' has an empty dimension");
        var q = Int8s(values, source);
        if (q.LongLength != inputs * outputs) throw new MlacInputException($"{source}: '{values.Name}': {q.LongLength} values for [{inputs}, {outputs}]");
        var s = Floats(scales, source);
        var zp = zeroPoints is null ? null : Int8s(zeroPoints, source);
        if (s.LongLength != 1 && s.LongLength != outputs) throw new MlacInputException($"{source}: '{scales.Name}': {s.LongLength} scales for {outputs} columns");
        if (zp is not null && zp.LongLength != 1 && zp.LongLength != outputs) throw new MlacInputException($"{source}: '{zeroPoints!.Name}': {zp.LongLength} zero points for {outputs} columns");
        return Int8Quantization.ToLinearWeight(Int8Quantization.Dequantize(q, inputs, outputs, s, zp), inputs, outputs);
    }

    private static sbyte[] Int8s(TensorProto t, string source)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new MlacInputException($"{source}: initializer '{t.Name}' uses external data, which this importer does not read");
        return t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, sbyte>(t.RawData.Span).ToArray() : t.Int32Data.Select(v => checked((sbyte)v)).ToArray();
    }

    private static float[] Floats(TensorProto t, string source)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new MlacInputException($"{source}: initializer '{t.Name}' uses external data, which this importer does not read");
        if (t.RawData.Length % sizeof(float) != 0) throw new MlacInputException($"{source}: initializer '{t.Name}': raw data length {t.RawData.Length} is not a multiple of 4");
        return t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
    }
}
