using MlacRelease.Common.Errors;
using TorchSharp;

namespace MlacRelease.Core.Devices;

/// <summary>Turns "auto", "cpu", "cuda" or "cuda:N" into a TorchSharp device, with a clear error when CUDA is asked for but absent.</summary>
public static class DeviceSelector
{
    public static torch.Device Resolve(string? spec)
    {
        var text = (spec ?? "auto").Trim().ToLowerInvariant();
        if (text is "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (text is "cpu") return torch.CPU;
        if (text is "cuda" or "gpu" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (text.StartsWith("cuda:", StringComparison.Ordinal) && (!int.TryParse(text[5..], out index) || index < 0))
                throw new MlacInputException($"device '{spec}': expected cuda:N with N ≥ 0");
            if (!torch.cuda.is_available())
                throw new MlacInputException($"device '{spec}': CUDA is not available in this build (the default build uses TorchSharp-cpu; build with -p:TorchBackend=cuda on a machine with CUDA) — use --device cpu or auto");
            if (index >= torch.cuda.device_count())
                throw new MlacInputException($"device '{spec}': only {torch.cuda.device_count()} CUDA device(s) present");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new MlacInputException($"device '{spec}': expected auto, cpu, cuda or cuda:N");
    }
}
