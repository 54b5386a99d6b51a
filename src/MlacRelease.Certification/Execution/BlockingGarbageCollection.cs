using System.Runtime;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Turns off background (concurrent) garbage collection while a certification runs, and restores the previous mode.
/// TorchSharp 0.107 passes C# numbers to libtorch as Scalar objects that only a finalizer frees and that nothing keeps
/// alive during the native call using them; a background collection running beside that call can free one under
/// libtorch. Measured: a 28-class probe loop crashed ("INTERNAL ASSERT FAILED at Scalar.h") within 20 fits under
/// the default mode and ran 200 without fault in this one. Blocking collections happen only where this (single
/// tensor) thread allocates, never inside one of its native calls. Process-wide, like the hazard.
/// </summary>
internal sealed class BlockingGarbageCollection : IDisposable
{
    private readonly GCLatencyMode _previous = GCSettings.LatencyMode;

    public BlockingGarbageCollection() => GCSettings.LatencyMode = GCLatencyMode.Batch;

    public void Dispose() => GCSettings.LatencyMode = _previous;
}
