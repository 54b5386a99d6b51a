namespace MlacRelease.Certification.Execution;

/// <summary>
/// Starts one extra worker of a certification. The worker must call <see cref="WorkerHost.RunAsync"/> with a request
/// equal to the parent's (same inputs, same output folder) and the same shard. Workers are separate processes
/// because TorchSharp is not safe to drive from several threads of one process: its implicit Scalar arguments
/// (used throughout its optimisers) can be finalised by the garbage collector while a native call still uses them,
/// which a second busy thread makes likely (observed: a libtorch "INTERNAL ASSERT FAILED at Scalar.h" crash).
/// </summary>
public interface IWorkerLauncher
{
    /// <param name="index">1 … workers − 1 (the calling process is worker 0).</param>
    /// <returns>The worker's exit code once it has ended (0 = it found no more work).</returns>
    Task<int> RunWorkerAsync(int index, CancellationToken cancellation);
}
