namespace MlacRelease.Export.Onnx;

/// <summary>Which operators the exported graph is written with.</summary>
public enum OnnxGraphFlavor
{
    /// <summary>Standard ONNX operators only (opset 17): runs on any ONNX runtime, passes the ONNX checker. ONNX
    /// Runtime's own optimizer fuses the GELU (BiasGelu) and the scaled QKᵀ (FusedMatMul); it cannot fuse attention
    /// or skip-LayerNorm in a graph with a dynamic sequence axis.</summary>
    Portable,

    /// <summary>The encoder layers written with ONNX Runtime's contrib operators (domain com.microsoft: Attention,
    /// SkipLayerNormalization, BiasGelu/FastGelu), which its CPU and CUDA providers run as fused kernels. Runs on
    /// ONNX Runtime only. Weights are stored exactly as in <see cref="Portable"/> (Q, K and V kept apart and
    /// concatenated in the graph, which ONNX Runtime folds at load time), so the importer reads both alike.</summary>
    OnnxRuntimeFused,

    /// <summary>
    /// <see cref="Portable"/> with every Linear inside the encoder layers in int8: the weight per output channel,
    /// symmetric (<see cref="Core.Weights.Int8Quantization"/>), the input quantized dynamically to uint8 per tensor,
    /// in standard operators (DynamicQuantizeLinear, MatMulInteger, Cast, Mul, Add; one DynamicQuantizeLinear feeds Q, K
    /// and V). ONNX Runtime fuses these into MatMulIntegerToFloat (Q, K, V) and DynamicQuantizeMatMul (the others)
    /// and runs them on its u8s8 kernels (VNNI where the CPU has it). Embeddings, LayerNorm, softmax, attention scores,
    /// the pooler and the classifier stay fp32. The weights it computes with (and is certified with) are the
    /// dequantized ones, (q − 0)·scale in fp32.
    /// </summary>
    Int8,
}
