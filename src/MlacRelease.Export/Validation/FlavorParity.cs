using MlacRelease.Core.Model;
using MlacRelease.Export.Onnx;

namespace MlacRelease.Export.Validation;

/// <summary>
/// How a graph of each flavour is held to the TorchSharp encoder, decided once for <c>mlac export</c>, the release
/// writer and the gate: an int8 graph computes with its dequantized weights (not the fp32 ones it was made from) and
/// quantizes activations, which moves single values by a quantization step, so it is compared with those weights and
/// held to <see cref="ParityOptions.Int8Tolerance"/>; the fp32 flavours with the weights as given and the tolerance asked for.
/// </summary>
public static class FlavorParity
{
    /// <summary>The tolerance an export is checked with when none is asked for.</summary>
    public static double DefaultTolerance(OnnxGraphFlavor flavor) => IsInt8(flavor) ? ParityOptions.Int8Tolerance : ParityOptions.DefaultTolerance;

    /// <summary>The tolerance the gate holds a shipped graph to, given the one its policy requires: a policy's fp32
    /// tolerance cannot hold for an int8 graph, whose exact weights the structural check proves instead.</summary>
    public static double GateTolerance(OnnxGraphFlavor flavor, double policyTolerance) => IsInt8(flavor) ? ParityOptions.Int8Tolerance : policyTolerance;

    /// <summary>The weights a graph of <paramref name="flavor"/> made from <paramref name="weights"/> computes with, when
    /// they are not <paramref name="weights"/> themselves (int8: the dequantized ones, owned by the caller); else null.</summary>
    public static EncoderWeights? ShippedWeightsIfOther(EncoderWeights weights, OnnxGraphFlavor flavor) =>
        IsInt8(flavor) ? EncoderOnnxExporter.ShippedWeights(weights, flavor) : null;

    /// <summary>Whether the graph's reference quantizes activations as ONNX Runtime's dynamic quantization does.</summary>
    public static bool IsInt8(OnnxGraphFlavor flavor) => flavor == OnnxGraphFlavor.Int8;
}
