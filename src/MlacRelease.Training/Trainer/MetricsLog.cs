using System.Text.Json;
using System.Text.Json.Serialization;
using MlacRelease.Common.IO;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// metrics.jsonl: one <see cref="TrainingMetrics"/> per line, appended and flushed to disk line by line so a crash
/// loses at most the line being written. A resume cuts it back to the checkpoint's step (atomically) and goes on.
/// </summary>
public sealed class MetricsLog(string path)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Path { get; } = path;

    public void Append(TrainingMetrics metrics)
    {
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(JsonSerializer.Serialize(metrics, Json));
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

    /// <summary>A new run starts a new log.</summary>
    public void Clear()
    {
        if (File.Exists(Path)) File.Delete(Path);
    }

    public IReadOnlyList<TrainingMetrics> Read() => Read(Path);

    /// <summary>Every complete line of the log at <paramref name="path"/>; none when there is no log.</summary>
    public static IReadOnlyList<TrainingMetrics> Read(string path) =>
        !File.Exists(path) ? [] : File.ReadLines(path).Where(l => l.Length > 0).Select(l =>
        {
            try { return JsonSerializer.Deserialize<TrainingMetrics>(l, Json); }
            catch (JsonException) { return null; } // a line cut short by a crash
        }).OfType<TrainingMetrics>().ToList();

    /// <summary>On resume, lines written after the checkpoint are dropped: the resumed run writes them again.</summary>
    public void TruncateAfter(long step)
    {
        var kept = Read().Where(m => m.Step <= step).ToList();
        AtomicFile.WriteAllText(Path, string.Concat(kept.Select(m => JsonSerializer.Serialize(m, Json) + "\n")));
    }

    /// <summary>The first, the best (the last one logged at <paramref name="bestStep"/>) and the last validation pass.</summary>
    public (EvaluationResult? Initial, EvaluationResult? Best, EvaluationResult? Last) Evaluations(long? bestStep)
    {
        var evaluations = Read().Where(m => m.Evaluation is not null).ToList();
        return (evaluations.FirstOrDefault()?.Evaluation, evaluations.LastOrDefault(m => m.Step == bestStep)?.Evaluation, evaluations.LastOrDefault()?.Evaluation);
    }
}
