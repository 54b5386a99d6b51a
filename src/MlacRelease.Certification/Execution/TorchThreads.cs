using TorchSharp;

namespace MlacRelease.Certification.Execution;

/// <summary>Sets libtorch's intra-op thread count for the duration of a run and restores it after. The setting is
/// process-wide, so two certifications in one process should not run at the same time with different values.</summary>
internal sealed class TorchThreads : IDisposable
{
    private readonly int _previous;

    public TorchThreads(int threads)
    {
        _previous = torch.get_num_threads();
        torch.set_num_threads(threads);
    }

    public void Dispose() => torch.set_num_threads(_previous);
}
