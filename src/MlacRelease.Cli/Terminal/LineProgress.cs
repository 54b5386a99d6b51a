namespace MlacRelease.Cli.Terminal;

/// <summary>Progress lines printed on the reporting thread, in order (System.Progress posts to the thread pool, which
/// may reorder them).</summary>
public sealed class LineProgress(OutputMode mode) : IProgress<string>
{
    public void Report(string value) => mode.Info(value);
}
