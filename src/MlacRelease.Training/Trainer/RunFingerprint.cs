using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// The options a resume must match, as JSON recorded in every checkpoint: all of them but the steps, the budget and the
/// checkpoint and candidate spacing, which a resumed run may change.
/// </summary>
/// <remarks>
/// Canonical form: the objective's settings (<see cref="MlacTrainingOptions.Objective"/>) at the top level and the
/// top-level names sorted. Checkpoints written before the objective options were nested recorded them flat, plus a
/// copy under "ObjectiveOptions"; both layouts reduce to the same canonical form, so those runs still resume.
/// </remarks>
public static class RunFingerprint
{
    /// <summary>Where the objective's settings sit: nested now, copied under this name by checkpoints before.</summary>
    private static readonly string[] ObjectiveNames = [nameof(MlacTrainingOptions.Objective), "ObjectiveOptions"];

    public static string Of(MlacTrainingOptions options) =>
        Canonical(JsonSerializer.Serialize(options with { Steps = 0, Budget = null, CheckpointEvery = 1, CandidateEvery = 0 }));

    /// <summary>True when a recorded fingerprint, in either layout, names the same options as <paramref name="fingerprint"/>.</summary>
    public static bool Matches(string recorded, string fingerprint)
    {
        try
        {
            return Canonical(recorded) == fingerprint;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Canonical(string json)
    {
        var options = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a fingerprint is a JSON object");
        var flat = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in options)
        {
            if (ObjectiveNames.Contains(name) && value is JsonObject objective)
            {
                foreach (var (setting, settingValue) in objective) flat[setting] = settingValue?.DeepClone();
            }
            else if (!flat.ContainsKey(name))
            {
                flat[name] = value?.DeepClone();
            }
        }
        return new JsonObject(flat).ToJsonString();
    }
}
