using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Policies;

namespace MlacRelease.Certification.Tests;

/// <summary>
/// Every YAML file the project reads (policies, batteries) goes through YamlFields: anchors and aliases are refused
/// at the first one, before anything is expanded, and files over 1 MiB before they are read.
/// </summary>
public sealed class YamlHardeningTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_billion_laughs_policy_is_refused_at_its_first_anchor()
    {
        // 10 levels of 9 aliases each stand for 9^9 scalars; the old parser took 71 s on such a file before refusing
        // it. The anchor on line 2 is refused before the parser reads line 3, so no expansion can happen.
        var lines = new List<string> { "schema: mlac.policy/v1", "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]" };
        for (var i = 1; i < 10; i++) lines.Add($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 9))}]");
        var path = _folder.File("laughs.yaml");
        File.WriteAllText(path, string.Join("\n", lines) + "\nrequired_parity_tolerance: 1.0e-4\nmin_blocking_score: *l9\n");

        var e = Refused(() => PolicyParser.Load(path));
        e.File.Should().Be(path);
        e.Line.Should().Be(2);
        e.Message.Should().StartWith($"{path}:2:").And.Contain("anchors ('&l0')");
    }

    [Theory]
    [InlineData("schema: mlac.policy/v1\nrequired_parity_tolerance: *tolerance\n", 2, "aliases ('*tolerance')")]
    [InlineData("schema: mlac.policy/v1\nmax_harmful_accuracy_over_random:\n  <<: *limits\n", 3, "aliases ('*limits')")]
    [InlineData("schema: &s mlac.policy/v1\n", 1, "anchors ('&s')")]
    public void Anchors_and_aliases_in_a_policy_are_refused_with_their_line(string yaml, int line, string problem)
    {
        var e = Refused(() => PolicyParser.Parse(yaml, "policy.yaml"));
        e.Line.Should().Be(line);
        e.Message.Should().StartWith($"policy.yaml:{line}:").And.Contain(problem);
    }

    [Fact]
    public void Anchors_and_aliases_in_a_battery_are_refused_with_their_line()
    {
        var yaml = BatteryParserTests.Valid
            .Replace("batch_sizes: [8]", "batch_sizes: &sizes [8]")
            .Replace("l2: {min: 1.0e-3, max: 1.0}", "l2: *sizes");
        var e = Refused(() => BatteryParser.Parse(yaml, "tiny.yaml"));
        e.Line.Should().Be(yaml.Split('\n').ToList().FindIndex(l => l.Contains("&sizes", StringComparison.Ordinal)) + 1);
        e.Message.Should().Contain("anchors ('&sizes')");
    }

    [Fact]
    public void Ampersands_and_asterisks_inside_values_are_not_anchors()
    {
        var battery = BatteryParser.Parse(BatteryParserTests.Valid.Replace("name: tiny", "name: tiny\ndescription: R&D *only* & more"), "tiny.yaml");
        battery.Description.Should().Be("R&D *only* & more");
    }

    [Fact]
    public void A_file_over_one_mebibyte_is_refused_with_its_size_before_it_is_parsed()
    {
        var path = _folder.File("large.yaml");
        // A valid YAML comment: only the size can be wrong with it.
        File.WriteAllText(path, "#" + new string('x', YamlFile.MaxBytes));
        foreach (var load in new Action[] { () => PolicyParser.Load(path), () => BatteryParser.Load(path) })
        {
            var e = Refused(load);
            e.File.Should().Be(path);
            e.Message.Should().Contain($"the file is {YamlFile.MaxBytes + 1} bytes").And.Contain("1 MiB");
        }
    }

    [Fact]
    public void A_text_over_the_bound_is_refused_before_it_is_parsed() =>
        Refused(() => PolicyParser.Parse("#" + new string('x', YamlFile.MaxBytes), "policy.yaml"))
            .Message.Should().Contain($"the text is {YamlFile.MaxBytes + 1} characters");

    private static StrictYamlException Refused(Action act) => act.Should().Throw<StrictYamlException>().Which;
}
