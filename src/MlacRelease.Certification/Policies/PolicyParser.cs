using MlacRelease.Certification.Batteries;

namespace MlacRelease.Certification.Policies;

/// <summary>Reads a policy file as strictly as a battery file (unknown keys, wrong types and ranges are refused with
/// file, line and field).</summary>
public static class PolicyParser
{
    public static CertificationPolicy Load(string path) => Parse(File.ReadAllText(path), path);

    public static CertificationPolicy Parse(string yaml, string file)
    {
        var root = YamlFields.Load(yaml, file);
        var schema = root.String("schema");
        if (schema != CertificationPolicy.Schema) throw root.Location("schema").Error($"expected '{CertificationPolicy.Schema}', got '{schema}'");
        var limits = new List<ExcessLimit>();
        if (root.OptionalMapping("max_harmful_accuracy_over_random") is { } map)
        {
            foreach (var (key, value, location) in map.Entries())
            {
                AttackerDataSize? size = key switch
                {
                    "default" => null,
                    "all" => AttackerDataSize.All,
                    _ when int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 => new AttackerDataSize(n),
                    _ => throw location.Error($"expected a data size (a positive integer or 'all') or 'default', got '{key}'"),
                };
                limits.Add(new ExcessLimit(size, map.ParseDouble(value, location.Field, 0, 1)));
            }
        }
        var undefined = root.OptionalString("undefined_blocking") ?? "pass";
        if (undefined is not ("pass" or "fail")) throw root.Location("undefined_blocking").Error($"expected 'pass' or 'fail', got '{undefined}'");
        var policy = new CertificationPolicy
        {
            RequiredBattery = root.OptionalString("required_battery"),
            MinBlockingScore = root.OptionalDouble("min_blocking_score", -10, 10),
            MaxHarmfulAccuracyOverRandom = limits,
            MinDesiredRetention = root.OptionalDouble("min_desired_retention", 0, 10),
            RequiredParityTolerance = root.OptionalDouble("required_parity_tolerance", 0, 1, exclusiveMin: true),
            UndefinedBlockingFails = undefined == "fail",
        };
        if (policy.RequiredBattery is { } battery && !BatteryPresets.Names.Contains(battery))
            throw root.Location("required_battery").Error($"unknown battery preset '{battery}' (built in: {string.Join(", ", BatteryPresets.Names)})");
        root.RejectUnknown();
        return policy;
    }
}
