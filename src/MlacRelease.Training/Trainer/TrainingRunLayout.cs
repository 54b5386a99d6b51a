using MlacRelease.Core.Selection;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// Where a training run keeps its files under the output folder (which is also the released Hugging Face model
/// folder): checkpoints/latest and best, the metrics log, the summary, the plots and the selection candidates. The one
/// place that names them; the trainer, the resume and the tests ask it.
/// </summary>
public sealed class TrainingRunLayout(string outputFolder)
{
    public const string CheckpointFolderName = "checkpoints";
    public const string LatestCheckpointName = "latest.safetensors";
    public const string BestCheckpointName = "best.safetensors";
    public const string MetricsFileName = "metrics.jsonl";
    public const string SummaryFileName = "training.json";
    public const string PlotsFolderName = "plots";

    public string Root { get; } = Path.GetFullPath(outputFolder);
    public string CheckpointFolder => Path.Combine(Root, CheckpointFolderName);
    public string LatestCheckpoint => Path.Combine(CheckpointFolder, LatestCheckpointName);
    public string BestCheckpoint => Path.Combine(CheckpointFolder, BestCheckpointName);
    public string MetricsFile => Path.Combine(Root, MetricsFileName);
    public string SummaryFile => Path.Combine(Root, SummaryFileName);
    public string PlotsFolder => Path.Combine(Root, PlotsFolderName);

    /// <summary>The checkpoint the released model comes from: the best one, or the latest when no validation pass has
    /// written a best one yet.</summary>
    public string ReleasedCheckpoint => File.Exists(BestCheckpoint) ? BestCheckpoint : LatestCheckpoint;

    /// <summary>The complete selection candidate of a step (see <see cref="CandidateLayout"/>).</summary>
    public string CandidateFolder(long step) => CandidateLayout.PathOf(Root, step);

    /// <summary>Where a candidate is written before it is renamed to <see cref="CandidateFolder"/>.</summary>
    public string PartialCandidateFolder(long step) => CandidateFolder(step) + CandidateLayout.PartialSuffix;

    public void CreateFolders() => Directory.CreateDirectory(CheckpointFolder);
}
