using System.Text.RegularExpressions;
using MlacRelease.Certification.Attacks;
using YamlDotNet.RepresentationModel;

namespace MlacRelease.Certification.Batteries;

/// <summary>
/// Reads a battery file strictly: unknown keys (also keys that belong to another attack family), unknown names,
/// wrong types, out-of-range numbers, empty lists and duplicates are refused with file, line, column and field.
/// </summary>
public static partial class BatteryParser
{
    public static Battery Load(string path) => Parse(YamlFile.Read(path), path);

    public static Battery Parse(string yaml, string file)
    {
        var root = YamlFields.Load(yaml, file);
        var schema = root.String("schema");
        if (schema != Battery.Schema) throw root.Location("schema").Error($"expected '{Battery.Schema}', got '{schema}'");
        var name = root.String("name");
        if (!NamePattern().IsMatch(name)) throw root.Location("name").Error("a name is 1–64 characters of a–z, 0–9, '_' and '-'");

        var sizes = root.Sequence("data_sizes");
        var dataSizes = new List<AttackerDataSize>();
        var locations = new List<SourceLocation>();
        for (var i = 0; i < sizes.Count; i++)
        {
            var field = $"data_sizes[{i}]";
            var text = root.ScalarText(sizes[i], field);
            var size = text == "all" ? AttackerDataSize.All : new AttackerDataSize(root.ParseInt(sizes[i], field, min: 1));
            if (dataSizes.Count > 0 && (dataSizes[^1].IsAll || (!size.IsAll && size.Count <= dataSizes[^1].Count)))
                throw root.Error(sizes[i], field, "data sizes must increase, with 'all' last");
            dataSizes.Add(size);
            locations.Add(root.At(sizes[i], field));
        }

        var seedNodes = root.Sequence("seeds");
        var seeds = new List<ulong>();
        for (var i = 0; i < seedNodes.Count; i++)
        {
            var text = root.ScalarText(seedNodes[i], $"seeds[{i}]");
            if (!ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seed))
                throw root.Error(seedNodes[i], $"seeds[{i}]", $"expected a non-negative integer, got '{text}'");
            if (seeds.Contains(seed)) throw root.Error(seedNodes[i], $"seeds[{i}]", $"duplicate seed {seed}");
            seeds.Add(seed);
        }

        var attacks = root.MappingList("attacks").Select(ParseAttack).ToList();
        var duplicate = attacks.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var entries = root.MappingList("attacks");
            var index = attacks.FindLastIndex(a => a.Name == duplicate.Key);
            throw entries[index].Location("name").Error($"two attacks are named '{duplicate.Key}'; give one a distinct 'name'");
        }

        var battery = new Battery
        {
            Name = name,
            Description = root.OptionalString("description") ?? "",
            Seed = root.ULong("seed"),
            MaxLength = root.Int("max_length", min: 2, max: 4096),
            Evaluation = ParseEvaluation(root.Mapping("evaluation")),
            DataSizes = dataSizes,
            DataSizeLocations = locations,
            Seeds = seeds,
            Search = ParseSearch(root.Mapping("search")),
            Metrics = ParseMetrics(root.Mapping("metrics")),
            Retention = ParseRetention(root.Mapping("retention")),
            Attacks = attacks,
        };
        root.RejectUnknown();
        return battery;
    }

    private static EvaluationSettings ParseEvaluation(YamlFields f)
    {
        var result = new EvaluationSettings(f.Int("every", min: 1), f.OptionalInt("tune_examples", min: 1), f.OptionalInt("test_examples", min: 1));
        f.RejectUnknown();
        return result;
    }

    private static SearchSettings ParseSearch(YamlFields f)
    {
        var method = f.String("method");
        if (method != "random_successive_halving")
            throw f.Location("method").Error($"unknown search method '{method}' (expected random_successive_halving)");
        var result = new SearchSettings(f.Int("trials", min: 1, max: 10_000), f.Int("eta", min: 2, max: 100), f.Int("rungs", min: 1, max: 10));
        f.RejectUnknown();
        return result;
    }

    private static MetricSettings ParseMetrics(YamlFields f)
    {
        var targets = f.List("accuracy_targets", (node, field) => f.ParseDouble(node, field, 0, 1, exclusiveMin: true));
        var result = new MetricSettings(targets, f.Double("blocking_min_gap", 0, 1, exclusiveMin: true));
        f.RejectUnknown();
        return result;
    }

    private static RetentionSettings ParseRetention(YamlFields f)
    {
        var fineTune = f.Mapping("fine_tune");
        var settings = new FineTuneSettings(
            fineTune.Enum("optimizer", YamlNames.Optimizers),
            fineTune.Double("learning_rate", 0, exclusiveMin: true),
            fineTune.Enum("schedule", YamlNames.Schedules),
            fineTune.OptionalDouble("warmup_fraction", 0, 1) ?? 0.1,
            fineTune.Int("batch_size", min: 1),
            fineTune.Int("steps", min: 1),
            fineTune.OptionalDouble("weight_decay", 0) ?? 0.0,
            fineTune.OptionalDouble("max_grad_norm", 0, exclusiveMin: true));
        fineTune.RejectUnknown();
        var result = new RetentionSettings(f.Int("train_examples", min: 1), f.Double("probe_l2", 0, exclusiveMin: true), settings);
        f.RejectUnknown();
        return result;
    }

    private static AttackSpace ParseAttack(YamlFields f)
    {
        var family = f.Enum("family", YamlNames.Families);
        var name = f.OptionalString("name") ?? YamlNames.Name(YamlNames.Families, family);
        if (!NamePattern().IsMatch(name)) throw f.Location("name").Error("a name is 1–64 characters of a–z, 0–9, '_' and '-'");
        AttackSpace space;
        if (family == AttackFamily.LinearProbe)
        {
            space = new AttackSpace { Name = name, Family = family, ProbeL2 = ParseRange(f, "l2") };
        }
        else
        {
            space = new AttackSpace { Name = name, Family = family, Training = ParseTraining(f) };
            switch (family)
            {
                case AttackFamily.Lora:
                    space = space with
                    {
                        Lora = new LoraSpace(
                            Distinct(f, "ranks", f.List("ranks", (n, field) => f.ParseInt(n, field, min: 1, max: 4096))),
                            Distinct(f, "alphas", f.List("alphas", (n, field) => f.ParseDouble(n, field, 0, exclusiveMin: true))),
                            Distinct(f, "targets", f.List("targets", (n, field) => f.ParseEnum(n, field, YamlNames.LoraTargets)))),
                    };
                    break;
                case AttackFamily.ReinitTopLayers:
                    space = space with
                    {
                        ReinitLayers = Distinct(f, "layers", f.List("layers", (n, field) => f.ParseInt(n, field, min: 1, max: 256))),
                        FreezeLowerLayers = f.OptionalBool("freeze_lower_layers") is true ? true : null,
                    };
                    break;
                case AttackFamily.BenignThenHarmful:
                    space = space with { Benign = ParseBenign(f.Mapping("benign")) };
                    break;
            }
        }
        f.RejectUnknown();
        return space;
    }

    private static TrainingSpace ParseTraining(YamlFields f)
    {
        var overrides = new List<OptimizerLearningRate>();
        if (f.OptionalMapping("learning_rate_overrides") is { } map)
        {
            foreach (var (key, _, location) in map.Entries())
            {
                if (!YamlNames.Optimizers.TryGetValue(key, out var optimizer))
                    throw location.Error($"unknown optimizer '{key}' (expected one of {string.Join(", ", YamlNames.Optimizers.Keys)})");
                overrides.Add(new OptimizerLearningRate(optimizer, ParseRange(map, key)));
            }
        }
        return new TrainingSpace(
            Distinct(f, "optimizers", f.List("optimizers", (n, field) => f.ParseEnum(n, field, YamlNames.Optimizers))),
            ParseRange(f, "learning_rate"),
            overrides,
            Distinct(f, "schedules", f.List("schedules", (n, field) => f.ParseEnum(n, field, YamlNames.Schedules))),
            f.OptionalDouble("warmup_fraction", 0, 1) ?? 0.1,
            Distinct(f, "batch_sizes", f.List("batch_sizes", (n, field) => f.ParseInt(n, field, min: 1, max: 65_536))),
            Distinct(f, "steps", f.List("steps", (n, field) => f.ParseInt(n, field, min: 1, max: 10_000_000))),
            Distinct(f, "weight_decay", f.List("weight_decay", (n, field) => f.ParseDouble(n, field, 0))),
            f.OptionalDouble("max_grad_norm", 0, exclusiveMin: true));
    }

    private static BenignSpace ParseBenign(YamlFields f)
    {
        var result = new BenignSpace(
            f.Int("examples", min: 1),
            Distinct(f, "optimizers", f.List("optimizers", (n, field) => f.ParseEnum(n, field, YamlNames.Optimizers))),
            ParseRange(f, "learning_rate"),
            Distinct(f, "steps", f.List("steps", (n, field) => f.ParseInt(n, field, min: 1, max: 10_000_000))),
            f.Int("batch_size", min: 1));
        f.RejectUnknown();
        return result;
    }

    /// <summary>A positive number, or {min, max} with 0 &lt; min ≤ max (sampled log-uniformly).</summary>
    private static LogUniformRange ParseRange(YamlFields f, string key)
    {
        if (f.IsMapping(key))
        {
            var range = f.Mapping(key);
            var min = range.Double("min", 0, exclusiveMin: true);
            var max = range.Double("max", 0, exclusiveMin: true);
            if (max < min) throw range.Location("max").Error($"max ({max}) is below min ({min})");
            range.RejectUnknown();
            return new LogUniformRange(min, max);
        }
        var value = f.Double(key, 0, exclusiveMin: true);
        return new LogUniformRange(value, value);
    }

    private static IReadOnlyList<T> Distinct<T>(YamlFields f, string key, IReadOnlyList<T> values)
    {
        for (var i = 1; i < values.Count; i++)
        {
            if (values.Take(i).Contains(values[i]))
            {
                var node = f.Sequence(key)[i];
                throw f.Error(node, $"{(f.Path.Length == 0 ? key : f.Path + "." + key)}[{i}]", $"duplicate value '{f.ScalarText(node, key)}'");
            }
        }
        return values;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
