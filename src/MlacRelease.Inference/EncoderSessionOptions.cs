using Microsoft.ML.OnnxRuntime;

namespace MlacRelease.Inference;

public sealed record EncoderSessionOptions
{
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Cpu;

    public int CudaDeviceId { get; init; }

    /// <summary>When CUDA is asked for but cannot be used, run on the CPU and say why in
    /// <see cref="EncoderSession.FallbackReason"/> (true), or throw (false).</summary>
    public bool AllowCpuFallback { get; init; } = true;

    /// <summary>ONNX Runtime intra-op threads; 0 lets it choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Largest batch the batched APIs send to the runtime at once.</summary>
    public int MaxBatchSize { get; init; } = 32;
}
