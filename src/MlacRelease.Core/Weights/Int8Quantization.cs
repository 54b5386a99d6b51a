using MlacRelease.Common.Errors;
using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Weights;

/// <summary>
/// A Linear layer's weight as ONNX Runtime's MatMulInteger consumes it: the right-hand side B = Wᵀ, [in, out] row-major,
/// int8, symmetric (zero point 0), one fp32 scale per output column. What ONNX Runtime computes with it is
/// (q − 0)·scale in fp32, so that product — <see cref="Dequantize"/> — is the weight a quantized model is certified with.
/// </summary>
public sealed record QuantizedMatrix(sbyte[] Values, long Inputs, long Outputs, float[] Scales);

/// <summary>
/// Per-output-channel symmetric int8 quantization of Linear weights (scale = max|w| / 127 per row of W, q = round-half-even
/// of w / scale, clamped to ±127), computed in fp32 arithmetic on the host so every platform gets the same bits. The
/// scale is nudged by at most a few ulps to a fixed point of re-quantization: quantizing the dequantized matrix
/// gives back the same values and scales, so a gate can rebuild the int8 graph from the certified (dequantized)
/// weights alone and demand equality, byte for byte.
/// </summary>
public static class Int8Quantization
{
    public const int MaxMagnitude = 127;

    /// <summary>How far (in ulps either side) the scale may be moved to reach a fixed point of re-quantization.</summary>
    private const int MaxNudgeUlps = 8;

    /// <summary>The encoder parameters stored as int8 in a quantized export: every Linear weight inside the encoder
    /// layers (Q, K, V, attention output, intermediate, output). Embeddings, LayerNorms, biases and the pooler (one token
    /// per sequence: no measurable time, and the classifier reads its output) stay fp32.</summary>
    public static IReadOnlyList<string> QuantizedWeights(EncoderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var names = new List<string>();
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            foreach (var linear in LinearsOfLayer) names.Add(BertParameterNames.Layer(layer, linear + ".weight"));
        }
        return names;
    }

    private static readonly string[] LinearsOfLayer =
    [
        BertParameterNames.Query, BertParameterNames.Key, BertParameterNames.Value, BertParameterNames.AttentionOutput,
        BertParameterNames.Intermediate, BertParameterNames.Output,
    ];

    /// <summary>Quantizes a Linear weight W [out, in] (float32) into B = Wᵀ [in, out] with per-column scales.</summary>
    public static QuantizedMatrix Quantize(Tensor linearWeight)
    {
        ArgumentNullException.ThrowIfNull(linearWeight);
        if (linearWeight.dim() != 2 || linearWeight.dtype != ScalarType.Float32)
            throw new ArgumentException($"a Linear weight must be a float32 [out, in] matrix, got {linearWeight.dtype} [{string.Join(", ", linearWeight.shape)}]");
        using var host = linearWeight.detach().cpu().contiguous();
        var rows = host.shape[0];
        var columns = host.shape[1];
        return Quantize(host.data<float>().ToArray(), rows, columns);
    }

    /// <param name="weight">W [out, in] row-major.</param>
    public static QuantizedMatrix Quantize(float[] weight, long outputs, long inputs)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.LongLength != checked(outputs * inputs)) throw new ArgumentException($"{weight.LongLength} values for [{outputs}, {inputs}]");
        var values = new sbyte[weight.LongLength];
        var scales = new float[outputs];
        for (long o = 0; o < outputs; o++)
        {
            var row = new ReadOnlySpan<float>(weight, checked((int)(o * inputs)), checked((int)inputs));
            float maxAbs = 0;
            foreach (var w in row)
            {
                if (!float.IsFinite(w)) throw new MlacInputException($"output channel {o} holds a non-finite weight ({w}); it cannot be quantized");
                maxAbs = MathF.Max(maxAbs, MathF.Abs(w));
            }
            var scale = FixedPointScale(maxAbs, o);
            scales[o] = scale;
            for (long i = 0; i < inputs; i++) values[i * outputs + o] = QuantizeValue(row[(int)i], scale);
        }
        return new QuantizedMatrix(values, inputs, outputs, scales);
    }

    /// <summary>B [in, out] row-major as ONNX Runtime dequantizes it: (q − 0)·scale[column], one fp32 product each.</summary>
    public static float[] Dequantize(QuantizedMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return Dequantize(matrix.Values, matrix.Inputs, matrix.Outputs, matrix.Scales, zeroPoints: null);
    }

    /// <summary>(q − zero_point)·scale in fp32 for B [in, out]; scales and zero points are per column (length out) or
    /// per tensor (length 1), as ONNX Runtime's MatMulInteger family reads them.</summary>
    public static float[] Dequantize(sbyte[] values, long inputs, long outputs, float[] scales, sbyte[]? zeroPoints)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(scales);
        if (values.LongLength != checked(inputs * outputs)) throw new ArgumentException($"{values.LongLength} values for [{inputs}, {outputs}]");
        if (scales.LongLength != 1 && scales.LongLength != outputs) throw new ArgumentException($"{scales.LongLength} scales for {outputs} columns");
        if (zeroPoints is not null && zeroPoints.LongLength != 1 && zeroPoints.LongLength != outputs)
            throw new ArgumentException($"{zeroPoints.LongLength} zero points for {outputs} columns");
        var result = new float[values.LongLength];
        for (long i = 0; i < inputs; i++)
        {
            for (long o = 0; o < outputs; o++)
            {
                var at = i * outputs + o;
                var zero = zeroPoints is null ? 0 : zeroPoints[zeroPoints.LongLength == 1 ? 0 : o];
                result[at] = (values[at] - zero) * scales[scales.LongLength == 1 ? 0 : o];
            }
        }
        return result;
    }

    /// <summary>The dequantized B [in, out] as the Linear weight W = Bᵀ [out, in] (float32 tensor on the CPU).</summary>
    public static Tensor ToLinearWeight(float[] dequantized, long inputs, long outputs)
    {
        using var b = torch.tensor(dequantized, [inputs, outputs], ScalarType.Float32);
        return b.t().contiguous();
    }

    /// <summary>The weights an int8 export computes with: every <see cref="QuantizedWeights"/> entry replaced by its
    /// dequantized int8 form, everything else copied. The result is owned by the caller.</summary>
    public static EncoderWeights Dequantized(EncoderWeights weights, out IReadOnlyDictionary<string, QuantizedMatrix> quantized)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var matrices = new Dictionary<string, QuantizedMatrix>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var toQuantize = QuantizedWeights(weights.Config).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, tensor) in weights.Tensors)
            {
                if (!toQuantize.Contains(name))
                {
                    tensors[name] = tensor.detach().cpu().clone();
                    continue;
                }
                var matrix = Quantize(tensor);
                matrices[name] = matrix;
                tensors[name] = ToLinearWeight(Dequantize(matrix), matrix.Inputs, matrix.Outputs);
            }
            quantized = matrices;
            return new EncoderWeights(weights.Config, tensors, "int8 weights");
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What ONNX Runtime's DynamicQuantizeLinear (and the DynamicQuantizeMatMul it fuses into) does to a Linear's input,
    /// returned dequantized: one uint8 scale and zero point for the whole tensor (every row of the batch, padding
    /// included) from its range widened to contain 0, scale = (max − min)/255 (1 when the range is empty), zero point =
    /// round-half-even(clamp(−min/scale, 0, 255)), q = clamp(round-half-even(x/scale) + zero point, 0, 255); the result is
    /// (q − zero point)·scale. A TorchSharp forward with this on every encoder Linear input reproduces the int8 graph
    /// up to fp32 summation order.
    /// </summary>
    public static Tensor SimulateDynamicActivation(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var min = MathF.Min(x.min().SingleValue(), 0f);
        var max = MathF.Max(x.max().SingleValue(), 0f);
        var scale = max == min ? 1f : (max - min) / 255f;
        var zeroPoint = MathF.Round(Math.Clamp(0f - min / scale, 0f, 255f), MidpointRounding.ToEven);
        var q = x.Over(scale).round().Plus(zeroPoint).Clamp(0f, 255f);
        return q.Minus(zeroPoint).Times(scale).MoveToOuterDisposeScope();
    }

    private static sbyte QuantizeValue(float w, float scale) =>
        (sbyte)Math.Clamp(MathF.Round(w / scale, MidpointRounding.ToEven), -MaxMagnitude, MaxMagnitude);

    /// <summary>max|w|/127, or the nearest float to it whose re-quantization is itself: the dequantized channel's largest
    /// magnitude is fl(127·s), and fl(fl(127·s)/127) must give s back. An all-zero channel gets scale 1.</summary>
    private static float FixedPointScale(float maxAbs, long channel)
    {
        if (maxAbs == 0) return 1f;
        var first = maxAbs / MaxMagnitude;
        for (var k = 0; k <= MaxNudgeUlps; k++)
        {
            foreach (var candidate in k == 0 ? [first] : new[] { Step(first, k), Step(first, -k) })
            {
                if (candidate > 0 && float.IsNormal(candidate) && (candidate * MaxMagnitude) / MaxMagnitude == candidate) return candidate;
            }
        }
        throw new MlacInputException($"output channel {channel}: no int8 scale near {first:R} re-quantizes to itself (max |w| = {maxAbs:R} is too small to quantize)");
    }

    private static float Step(float value, int ulps)
    {
        for (var i = 0; i < Math.Abs(ulps); i++) value = ulps > 0 ? MathF.BitIncrement(value) : MathF.BitDecrement(value);
        return value;
    }
}
