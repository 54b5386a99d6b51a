using System.Runtime;

namespace MlacRelease.Tests.Shared;

/// <summary>
/// Runs a call to TorchSharp's own torch.optim or torch.normal with the garbage collector held off. Those APIs pass
/// numbers to libtorch as Scalars that nothing keeps alive during the call (TorchSharp#1434, analyzer MLAC0002); if a
/// collection runs mid-call, a finalizer can free one under libtorch. The tests that hold our code to those APIs are
/// the only callers; src/ does not use them. One CI run crashed the Core test host right after such a test, with no
/// message (session 13), which is the failure this guards against.
/// </summary>
public static class NoCollection
{
    /// <summary>Bytes the runtime reserves for the call's allocations (managed wrappers only; tensors live natively).</summary>
    private const long Budget = 16L * 1024 * 1024;

    public static void Run(Action call) => Run(() => { call(); return 0; });

    public static T Run<T>(Func<T> call)
    {
        // Collect first, so no finalizer from earlier work is pending when the region starts; the region fails to start
        // (false) only when the budget cannot be reserved, and then the call still runs, unguarded as before.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var started = GC.TryStartNoGCRegion(Budget);
        try
        {
            return call();
        }
        finally
        {
            // Allocating past the budget ends the region by itself; ending it again would throw.
            if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }
}
