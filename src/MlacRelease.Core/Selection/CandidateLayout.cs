using System.Globalization;
using System.Text.RegularExpressions;

namespace MlacRelease.Core.Selection;

/// <summary>
/// Where a training run keeps its selection candidates: one Hugging Face model folder per kept step,
/// <c>candidates/step-NNNNNN</c> under the run folder. Written by the trainer, read by checkpoint selection; a folder
/// still being written carries a <c>.partial</c> suffix and is never listed.
/// </summary>
public static partial class CandidateLayout
{
    public const string Folder = "candidates";
    public const string PartialSuffix = ".partial";

    public static string PathOf(string runFolder, long step) =>
        System.IO.Path.Combine(runFolder, Folder, "step-" + step.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>The complete candidate folders of a run, by step.</summary>
    public static IReadOnlyList<(long Step, string Path)> List(string runFolder)
    {
        var root = System.IO.Path.Combine(runFolder, Folder);
        if (!Directory.Exists(root)) return [];
        return Directory.GetDirectories(root)
            .Select(d => (Match: StepName().Match(System.IO.Path.GetFileName(d)), Path: d))
            .Where(x => x.Match.Success)
            .Select(x => (long.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Path))
            .OrderBy(x => x.Item1)
            .ToList();
    }

    [GeneratedRegex(@"^step-([0-9]{6,12})$")]
    private static partial Regex StepName();
}
