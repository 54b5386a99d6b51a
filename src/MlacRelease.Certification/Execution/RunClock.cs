using System.Diagnostics;

namespace MlacRelease.Certification.Execution;

/// <summary>CPU seconds (the process's user + system) and wall seconds of one piece of work.</summary>
internal static class RunClock
{
    public static (T Result, double CpuSeconds, double WallSeconds) Measure<T>(Func<T> body)
    {
        var wall = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = body();
        return (result, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, wall.Elapsed.TotalSeconds);
    }
}
