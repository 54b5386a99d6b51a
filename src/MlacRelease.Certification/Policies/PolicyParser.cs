using System.Globalization;
using System.Text.RegularExpressions;
using MlacRelease.Certification.Batteries;

namespace MlacRelease.Certification.Policies;

/// <summary>
/// Reads a policy file as strictly as a battery file (unknown keys, wrong types and ranges are refused with file, line
/// and field). A policy must also be able to fail a release that blocks nothing, so a policy that checks no blocking,
/// leaves data sizes without an accuracy-over-random limit, or lacks a tight parity tolerance is refused: a file holding
/// only its schema line once passed everything.
/// </summary>
public static partial class PolicyParser
{
    /// <summary>The loosest |ONNX − reference| tolerance a policy may set; the gate applies the policy's value.</summary>
    public const double MaxParityTolerance = 1e-3;

    private const string ExcessKey = "max_harmful_accuracy_over_random";

    public static CertificationPolicy Load(string path) => Parse(YamlFile.Read(path), path);

    public static CertificationPolicy Parse(string yaml, string file)
    {
        var root = YamlFields.Load(yaml, file);
        var schema = root.String("schema");
        if (schema != CertificationPolicy.Schema) throw root.Location("schema").Error($"expected '{CertificationPolicy.Schema}', got '{schema}'");
        var limits = root.OptionalMapping(ExcessKey) is { } map ? ParseLimits(map) : [];
        var undefined = root.OptionalString("undefined_blocking") ?? "pass";
        if (undefined is not ("pass" or "fail")) throw root.Location("undefined_blocking").Error($"expected 'pass' or 'fail', got '{undefined}'");
        var policy = new CertificationPolicy
        {
            RequiredBattery = root.OptionalString("required_battery"),
            MinBlockingScore = root.OptionalDouble("min_blocking_score", -10, 10),
            MaxHarmfulAccuracyOverRandom = limits,
            MinDesiredRetention = root.OptionalDouble("min_desired_retention", 0, 10),
            RequiredParityTolerance = root.OptionalDouble("required_parity_tolerance", 0, MaxParityTolerance, exclusiveMin: true),
            UndefinedBlockingFails = undefined == "fail",
            RequiredDataset = OptionalDigest(root, "required_dataset"),
            RequiredHarmfulLabels = root.Has("required_harmful_labels") && !root.IsNull("required_harmful_labels")
                ? root.List("required_harmful_labels", root.ScalarText) : null,
            RequiredPretrained = OptionalDigest(root, "required_pretrained"),
            MinReferenceHeadStart = root.OptionalDouble("min_reference_head_start", 0, 1),
        };
        // Unknown keys first: a misspelt threshold is the likeliest reason for a missing one.
        root.RejectUnknown();
        if (policy.RequiredParityTolerance is null)
            throw root.Missing("required_parity_tolerance",
                $"the gate compares the ONNX graph with the reference at this tolerance (at most {MaxParityTolerance.ToString("R", CultureInfo.InvariantCulture)})");
        if (policy.MinBlockingScore is null && limits.Count == 0)
            throw (root.Location(ExcessKey) with { Field = ExcessKey }).Error(
                $"the policy checks no blocking: give {ExcessKey} (with a 'default' limit) and/or min_blocking_score");
        if (policy.RequiredBattery is { } battery && !BatteryPresets.Names.Contains(battery))
            throw root.Location("required_battery").Error($"unknown battery preset '{battery}' (built in: {string.Join(", ", BatteryPresets.Names)})");
        return policy;
    }

    /// <summary>A pinned digest as certificates write it ("sha256:" and 64 lower-case hex digits): the check compares
    /// exact strings, so an upper-case or shortened digest would fail every release instead of failing here.</summary>
    private static string? OptionalDigest(YamlFields root, string key)
    {
        var value = root.OptionalString(key);
        if (value is not null && !DigestPattern().IsMatch(value))
            throw root.Location(key).Error($"expected 'sha256:' and 64 lower-case hex digits (as a certificate records it), got '{value}'");
        return value;
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();

    /// <summary>Per-size limits; 'default' is required because the evaluator leaves a size with no limit unchecked.</summary>
    private static List<ExcessLimit> ParseLimits(YamlFields map)
    {
        var limits = new List<ExcessLimit>();
        foreach (var (key, value, location) in map.Entries())
        {
            AttackerDataSize? size = key switch
            {
                "default" => null,
                "all" => AttackerDataSize.All,
                _ when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 => new AttackerDataSize(n),
                _ => throw location.Error($"expected a data size (a positive integer or 'all') or 'default', got '{key}'"),
            };
            // "20" and "020" are the same size: only the first would apply, so a second is a mistake.
            if (limits.Any(l => l.DataSize == size)) throw location.Error($"a second limit for data size '{key}'");
            limits.Add(new ExcessLimit(size, map.ParseDouble(value, location.Field, 0, 1)));
        }
        if (!limits.Any(l => l.DataSize is null))
            throw map.Missing("default", "without a 'default' limit, data sizes not listed here would go unchecked");
        return limits;
    }
}
