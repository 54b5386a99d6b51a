using Microsoft.ML.OnnxRuntime;

namespace MlacRelease.Inference;

/// <summary>
/// Creates the ONNX Runtime session on the requested device. The GPU package lists the CUDA provider even where CUDA
/// is not installed; appending it then throws (it loads libonnxruntime_providers_cuda.so, which needs cuBLAS/cuDNN),
/// and that is where the fallback to the CPU happens.
/// </summary>
internal static class OrtSessionFactory
{
    public sealed record Created(InferenceSession Session, string Provider, string? FallbackReason);

    /// <param name="load">Builds the session from the options (from bytes, or from a path for external data).</param>
    public static Created Create(EncoderSessionOptions options, Func<SessionOptions, InferenceSession> load)
    {
        if (options.Device == ExecutionDevice.Cuda)
        {
            string reason;
            using (var cuda = NewOptions(options))
            {
                try
                {
                    cuda.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                    return new Created(load(cuda), "CUDAExecutionProvider", null);
                }
                catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
                {
                    reason = $"the CUDA execution provider could not be used (device {options.CudaDeviceId}): {FirstLine(e.Message)}";
                }
            }
            if (!options.AllowCpuFallback)
                throw new InvalidOperationException($"{reason}. CUDA needs CUDA 13 and cuDNN 9 libraries on the library path; use ExecutionDevice.Cpu, or allow the CPU fallback.");
            using var cpu = NewOptions(options);
            return new Created(load(cpu), "CPUExecutionProvider", reason + "; running on the CPU instead");
        }
        using var cpuOnly = NewOptions(options);
        return new Created(load(cpuOnly), "CPUExecutionProvider", null);
    }

    private static SessionOptions NewOptions(EncoderSessionOptions options)
    {
        var sessionOptions = new SessionOptions { GraphOptimizationLevel = options.OptimizationLevel };
        if (options.IntraOpThreads > 0) sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        return sessionOptions;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 400 ? line[..400] + "…" : line;
    }
}
