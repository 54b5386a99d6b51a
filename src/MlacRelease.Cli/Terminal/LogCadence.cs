namespace MlacRelease.Cli.Terminal;

/// <summary>
/// When a progress log (no live bar) prints a line: every 4 % of the runs, or at the first run to finish once
/// <see cref="Interval"/> has passed since the last line, and always at the end.
/// </summary>
/// <remarks>Why a time bound too: units run largest first, so a battery like <c>long</c> spends its first quarter of an
/// hour on a few 500-step runs, and a CI log that waits for 4 % of them looks hung.</remarks>
public sealed class LogCadence(TimeSpan interval)
{
    private readonly Lock _gate = new();
    private int _lastRuns = -1;
    private TimeSpan _lastAt = TimeSpan.Zero;

    public TimeSpan Interval { get; } = interval;

    /// <param name="completed">Runs finished so far.</param>
    /// <param name="total">Runs in all.</param>
    /// <param name="elapsed">Time since the work began.</param>
    public bool ShouldLog(int completed, int total, TimeSpan elapsed)
    {
        // Workers and the progress timer report from several threads.
        lock (_gate)
        {
            var every = Math.Max(1, total / 25);
            var due = completed == total || completed - _lastRuns >= every || elapsed - _lastAt >= Interval;
            if (!due || completed == _lastRuns) return false;
            _lastRuns = completed;
            _lastAt = elapsed;
            return true;
        }
    }
}
