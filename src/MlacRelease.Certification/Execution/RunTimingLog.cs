using System.Globalization;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// One line per computed run in timings/&lt;process id&gt;.jsonl of the output folder: unit, run, family, target, wall
/// and CPU seconds. What the cost per run and family is measured from; nothing reads it back (not the certificate,
/// not resumption), so it cannot change a result. One file per process, so parallel workers never interleave lines.
/// </summary>
internal sealed class RunTimingLog(string folder)
{
    private readonly string _path = Path.Combine(folder, "timings", $"{Environment.ProcessId}.jsonl");

    public T Measure<T>(WorkUnit unit, string run, Func<T> body)
    {
        var (result, cpuSeconds, wallSeconds) = RunClock.Measure(body);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.AppendAllText(_path, string.Create(CultureInfo.InvariantCulture,
            $"{{\"unit\": \"{unit.Id}\", \"run\": \"{run}\", \"family\": \"{CertificationPlanner.FamilyName(unit)}\", \"target\": \"{WorkUnit.TargetName(unit.Target)}\", " +
            $"\"wall_s\": {wallSeconds:F3}, \"cpu_s\": {cpuSeconds:F3}}}\n"));
        return result;
    }
}
