using System.Diagnostics;

namespace MlacRelease.Certification.Execution;

/// <summary>Runs each worker as a child process from a caller-built command line (the CLI passes its own executable
/// and arguments plus a worker flag). Cancellation kills the child's process tree; finished work stays on disk.</summary>
public sealed class ProcessWorkerLauncher(Func<int, ProcessStartInfo> startInfo) : IWorkerLauncher
{
    public async Task<int> RunWorkerAsync(int index, CancellationToken cancellation)
    {
        using var process = Process.Start(startInfo(index)) ?? throw new InvalidOperationException($"worker {index} did not start");
        try
        {
            await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return process.ExitCode;
    }
}
