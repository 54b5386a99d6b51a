namespace MlacRelease.Inference;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionDevice
{
    Cpu,

    /// <summary>The CUDA execution provider (needs CUDA 13 and cuDNN 9 on the host); falls back to the CPU unless
    /// <see cref="EncoderSessionOptions.AllowCpuFallback"/> is off.</summary>
    Cuda,
}
