using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Common.IO;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;

namespace MlacRelease.Certification.Selection;

/// <summary>
/// Checkpoint selection by real attacks: every candidate a training run kept is certified with the validation battery
/// (the certifying attack code itself, against the same pretrained and random-init references) on
/// <see cref="ValidationData"/>, and <see cref="SelectionRule"/> picks the one to release. Each candidate's
/// certification is resumable in its own folder under the output, so a killed selection continues where it stopped.
/// The pretrained and random-init arms are the same for every candidate, so they go through a
/// <see cref="BaselineCache"/>: computed for the first candidate, read back for the others (two thirds of a selection's
/// attacks before it had one).
/// </summary>
/// <param name="baselineCache">The cache folder (the user's, shared with <c>mlac certify</c>); null keeps one inside the
/// selection's output folder, so the candidates of one run still share their references.</param>
public sealed class CheckpointSelector(EncoderWeights pretrained, CertificationData validation, Battery battery, int threads,
    string? baselineCache = null)
{
    public const string ResultFile = "selection.json";

    /// <summary>The cache folder used when the caller names none.</summary>
    public const string LocalCacheFolder = "baselines";

    public SelectionResult Run(IReadOnlyList<SelectionCandidate> candidates, string outputFolder, IProgress<string>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var output = Path.GetFullPath(outputFolder);
        Directory.CreateDirectory(output);
        var scores = new List<CandidateScore>();
        foreach (var (candidate, index) in candidates.OrderBy(c => c.Step).Select((c, i) => (c, i)))
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report($"candidate {index + 1}/{candidates.Count}: step {candidate.Step} ({candidate.Folder})");
            var folder = Path.Combine(output, $"step-{candidate.Step:D6}");
            var (weights, _) = HuggingFaceDirectory.Load(candidate.Folder);
            using (weights)
            {
                var request = new CertificationRequest
                {
                    Model = weights, Pretrained = pretrained, Data = validation, Battery = battery, OutputDirectory = folder,
                    Workers = 1, ThreadsPerWorker = threads, WriteReport = false,
                    BaselineCache = baselineCache ?? Path.Combine(output, LocalCacheFolder),
                };
                var result = Certifier.RunAsync(request, null, cancellation).GetAwaiter().GetResult();
                var score = SelectionRule.Score(candidate.Step, result.Certificate, result.CertificatePath, validation.Test.Count);
                scores.Add(score);
                progress?.Report($"  step {candidate.Step}: worst-case blocking {Format(score.WorstCaseBlocking)}{(score.WorstCaseBlockingError is { } e ? $" ± {e:0.00}" : "")} ({score.WorstCaseWhere}), " +
                                 $"desired drop {score.DesiredDrop:P1} (allowed {SelectionRule.DesiredTolerance + score.DesiredDropNoise:P1}){(score.Eligible ? "" : " (not eligible)")}");
            }
        }
        var (chosen, reason) = SelectionRule.Choose(scores);
        var selection = new SelectionResult(SelectionResult.CurrentSchema, battery.Name, battery.Digest, SelectionRule.DesiredTolerance, scores, chosen, reason);
        AtomicFile.WriteAllBytes(Path.Combine(output, ResultFile), CanonicalJson.Serialize(selection));
        return selection;
    }

    private static string Format(double? score) =>
        score is { } s ? s.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "undefined";
}
