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
        [(nameof(RealisticAttackerMix.ReinitLayers), "[1]"), (nameof(RealisticAttackerMix.FreshHeads), "false"), (nameof(RealisticAttackerMix.ReinitOptimizers), "null"),
         (nameof(RealisticAttackerMix.ReinitLearningRateMin), "null"), (nameof(RealisticAttackerMix.ReinitLearningRateMax), "null")];

    /// <summary>Long-horizon settings added after runs were recorded, at the value that does what those runs did: carrying
    /// off (0); with carrying, every LoRA rollout carries (1); re-initialisation rollouts of the common length (0).</summary>
    private static readonly (string Name, string Off)[] AddedLongHorizonSettings =
        [(nameof(LongHorizonOptions.CarriedLoraSteps), "0"), (nameof(LongHorizonOptions.CarriedLoraShare), "1"), (nameof(LongHorizonOptions.ReinitSteps), "0")];

    /// <summary>The mix's family weights end in this (<see cref="RealisticAttackerMix.FullFineTuneWeight"/>, …).</summary>
    private const string FamilyWeightSuffix = "Weight";

    /// <summary>The mix's single α/rank, recorded before it became a list of choices.</summary>
    private const string SingleAlphaPerRank = "LoraAlphaPerRank";

    private static string Canonical(string json)
    {
        var options = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a fingerprint is a JSON object");
        if (options[nameof(MlacTrainingOptions.AttackerMix)] is JsonObject mix) options[nameof(MlacTrainingOptions.AttackerMix)] = CanonicalMix(mix);
        if (options[nameof(MlacTrainingOptions.LongHorizon)] is JsonObject longHorizon) RemoveOff(longHorizon, AddedLongHorizonSettings);
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
        if (flat.GetValueOrDefault(nameof(Objective.MlacObjectiveOptions.Weights)) is JsonObject weights) RemoveZeros(weights, _ => true);
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
        RemoveOff(mix, AddedMixSettings);
        RemoveZeros(mix, name => name.EndsWith(FamilyWeightSuffix, StringComparison.Ordinal));
        return new JsonObject(mix.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
    }

    /// <summary>Leaves out each setting recorded at its off value.</summary>
    private static void RemoveOff(JsonObject settings, IEnumerable<(string Name, string Off)> added)
    {
        foreach (var (name, off) in added)
        {
            // A JSON null reads back as a null node: compared by its text like any other value.
            if (settings.TryGetPropertyValue(name, out var value) && (value?.ToJsonString() ?? "null") == off) settings.Remove(name);
        }
    }

    /// <summary>Leaves out the numbers equal to 0 among the settings <paramref name="named"/> picks.</summary>
    private static void RemoveZeros(JsonObject settings, Func<string, bool> named)
    {
        foreach (var name in settings.Where(kv => named(kv.Key) && kv.Value is JsonValue v && v.TryGetValue<double>(out var w) && w == 0).Select(kv => kv.Key).ToList())
            settings.Remove(name);
    }
}
