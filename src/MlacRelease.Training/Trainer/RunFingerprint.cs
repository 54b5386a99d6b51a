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

    /// <summary>Settings of the attacker mix added after runs were recorded, with the value that does what those runs did:
    /// at that value they are left out of the canonical form, so the older fingerprint still matches.</summary>
    /// <remarks>A family's weight at 0 (never drawn, as before the family existed) is left out by
    /// <see cref="FamilyWeightSuffix"/>, so a new family needs no entry here.</remarks>
    private static readonly (string Name, string Off)[] AddedMixSettings =
        [(nameof(RealisticAttackerMix.ReinitLayers), "[1]"), (nameof(RealisticAttackerMix.FreshHeads), "false")];

    /// <summary>The mix's family weights end in this (<see cref="RealisticAttackerMix.FullFineTuneWeight"/>, …).</summary>
    private const string FamilyWeightSuffix = "Weight";

    /// <summary>The mix's single α/rank, recorded before it became a list of choices.</summary>
    private const string SingleAlphaPerRank = "LoraAlphaPerRank";

    private static string Canonical(string json)
    {
        var options = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a fingerprint is a JSON object");
        if (options[nameof(MlacTrainingOptions.AttackerMix)] is JsonObject mix) options[nameof(MlacTrainingOptions.AttackerMix)] = CanonicalMix(mix);
        // Carrying added after runs were recorded: off (0) is what they did, so it is left out.
        if (options[nameof(MlacTrainingOptions.LongHorizon)] is JsonObject longHorizon)
        {
            if (longHorizon[nameof(LongHorizonOptions.CarriedLoraSteps)]?.ToJsonString() == "0") longHorizon.Remove(nameof(LongHorizonOptions.CarriedLoraSteps));
            // The share added after that: 1 (every LoRA rollout carries) is what carrying runs did.
            if (longHorizon[nameof(LongHorizonOptions.CarriedLoraShare)]?.ToJsonString() == "1") longHorizon.Remove(nameof(LongHorizonOptions.CarriedLoraShare));
            // Longer re-initialisation rollouts added after that: off (0) is what earlier runs did.
            if (longHorizon[nameof(LongHorizonOptions.ReinitSteps)]?.ToJsonString() == "0") longHorizon.Remove(nameof(LongHorizonOptions.ReinitSteps));
        }
        // The split seed added after runs were recorded: unset or equal to the run seed splits as those runs did, so it is left out.
        if (options.ContainsKey(nameof(MlacTrainingOptions.SplitSeed)) &&
            (options[nameof(MlacTrainingOptions.SplitSeed)] is null || options[nameof(MlacTrainingOptions.SplitSeed)]!.ToJsonString() == options[nameof(MlacTrainingOptions.Seed)]?.ToJsonString()))
            options.Remove(nameof(MlacTrainingOptions.SplitSeed));
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
        // A loss term at weight 0 is off, as it was before the term existed: left out, a new term needs no rule here.
        if (flat.GetValueOrDefault(nameof(Objective.MlacObjectiveOptions.Weights)) is JsonObject weights)
        {
            foreach (var name in weights.Where(kv => kv.Value is JsonValue v && v.TryGetValue<double>(out var w) && w == 0).Select(kv => kv.Key).ToList())
                weights.Remove(name);
        }
        return new JsonObject(flat).ToJsonString();
    }

    /// <summary>The mix with its added settings at their off values left out and its names sorted (a renamed setting
    /// moves in the serialiser's order).</summary>
    private static JsonObject CanonicalMix(JsonObject mix)
    {
        if (mix[SingleAlphaPerRank] is JsonValue single && !mix.ContainsKey(nameof(RealisticAttackerMix.LoraAlphasPerRank)))
        {
            mix.Remove(SingleAlphaPerRank);
            mix[nameof(RealisticAttackerMix.LoraAlphasPerRank)] = new JsonArray(single.DeepClone());
        }
        foreach (var (name, off) in AddedMixSettings)
        {
            if (mix[name] is { } value && value.ToJsonString() == off) mix.Remove(name);
        }
        foreach (var name in mix.Where(kv => kv.Key.EndsWith(FamilyWeightSuffix, StringComparison.Ordinal) && kv.Value is JsonValue v && v.TryGetValue<double>(out var w) && w == 0)
                     .Select(kv => kv.Key).ToList())
            mix.Remove(name);
        return new JsonObject(mix.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
    }
}
