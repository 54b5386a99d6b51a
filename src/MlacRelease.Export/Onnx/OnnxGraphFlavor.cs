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
}
