using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Policies;

namespace MlacRelease.Certification.Tests;

public sealed class PolicyParserTests
{
    /// <summary>The smallest policy the parser accepts; each case adds or changes one thing.</summary>
    private const string Minimal = "schema: mlac.policy/v1\nrequired_parity_tolerance: 1.0e-4\n";

    [Fact]
    public void The_example_policy_parses()
    {
        var policy = PolicyParser.Load(Path.Combine(BatteryParserTests.RepositoryRoot(), "release-checks", "policy.yaml"));
        policy.RequiredBattery.Should().Be("standard");
        policy.MinBlockingScore.Should().Be(0.8);
        policy.MinDesiredRetention.Should().Be(0.95);
        policy.RequiredParityTolerance.Should().Be(1e-4);
        policy.MaxHarmfulAccuracyOverRandom.Should().Contain(new ExcessLimit(null, 0.05)).And.Contain(new ExcessLimit(new AttackerDataSize(20), 0.03))
            .And.Contain(new ExcessLimit(AttackerDataSize.All, 0.08));
        policy.RequiredDataset.Should().StartWith("sha256:ab08c164");
        policy.RequiredHarmfulLabels.Should().Equal("female", "male");
        policy.RequiredPretrained.Should().StartWith("sha256:8bfd434a");
        policy.MinReferenceHeadStart.Should().Be(0.2);
    }

    [Fact]
    public void The_demo_policy_parses_and_admits_any_excess_explicitly()
    {
        var policy = PolicyParser.Load(Path.Combine(BatteryParserTests.RepositoryRoot(), "release-checks", "policy-demo.yaml"));
        policy.MinBlockingScore.Should().BeNull();
        policy.MaxHarmfulAccuracyOverRandom.Should().Equal(new ExcessLimit(null, 1.0));
        policy.RequiredParityTolerance.Should().Be(1e-4);
    }

    [Theory]
    [InlineData("min_blocking_score: 0.8\nmin_blocking: 0.9", "min_blocking", "unknown key")]
    [InlineData("min_blocking_score: 0.8\nrequired_battery: standrd", "required_battery", "unknown battery preset")]
    [InlineData("max_harmful_accuracy_over_random: {default: 0.1, twenty: 0.1}", "max_harmful_accuracy_over_random.twenty", "expected a data size")]
    [InlineData("max_harmful_accuracy_over_random: {default: 0.1, \"20\": 1.5}", "max_harmful_accuracy_over_random.20", "at most 1")]
    [InlineData("max_harmful_accuracy_over_random: {default: 0.1, \"20\": 0.1, \"020\": 0.2}", "max_harmful_accuracy_over_random.020", "a second limit")]
    [InlineData("min_blocking_score: 0.8\nundefined_blocking: maybe", "undefined_blocking", "expected 'pass' or 'fail'")]
    [InlineData("min_blocking_score: 0.8\nrequired_dataset: sha256:AB08", "required_dataset", "64 lower-case hex digits")]
    [InlineData("min_blocking_score: 0.8\nrequired_pretrained: 8bfd434a8f10340352cb3f191df003a930133797191cde716d9b22ef676599b6", "required_pretrained", "expected 'sha256:'")]
    [InlineData("min_blocking_score: 0.8\nrequired_harmful_labels: []", "required_harmful_labels", "must not be empty")]
    [InlineData("min_blocking_score: 0.8\nrequired_harmful_labels: female", "required_harmful_labels", "expected a list")]
    [InlineData("min_blocking_score: 0.8\nmin_reference_head_start: 1.5", "min_reference_head_start", "at most 1")]
    public void Mistakes_are_rejected_with_their_field(string body, string field, string problem) =>
        Rejected(Minimal + body + "\n", field, problem);

    [Theory]
    [InlineData("")]
    [InlineData("min_desired_retention: 0.9\nrequired_battery: standard\nundefined_blocking: fail")]
    [InlineData("max_harmful_accuracy_over_random: ~")]
    public void A_policy_that_checks_no_blocking_is_refused(string body) =>
        Rejected(Minimal + body + "\n", "max_harmful_accuracy_over_random", "checks no blocking");

    [Fact]
    public void Accuracy_over_random_limits_without_a_default_are_refused_at_their_line()
    {
        // Without 'default' the evaluator skips every data size not listed: n = 100 would go unchecked.
        var e = Rejected(Minimal + "max_harmful_accuracy_over_random:\n  \"20\": 0.03\n  all: 0.08\n",
            "max_harmful_accuracy_over_random.default", "unchecked");
        e.Line.Should().Be(4);
    }

    [Theory]
    [InlineData("min_blocking_score: 0.8\nrequired_parity_tolerance: 0", "greater than 0")]
    [InlineData("min_blocking_score: 0.8\nrequired_parity_tolerance: 1.0e-2", "at most 0.001")]
    [InlineData("min_blocking_score: 0.8\nrequired_parity_tolerance: 1", "at most 0.001")]
    [InlineData("min_blocking_score: 0.8", "required key is missing")]
    [InlineData("min_blocking_score: 0.8\nrequired_parity_tolerance: null", "required key is missing")]
    public void The_parity_tolerance_is_required_and_at_most_one_in_a_thousand(string body, string problem) =>
        Rejected("schema: mlac.policy/v1\n" + body + "\n", "required_parity_tolerance", problem);

    [Fact]
    public void The_loosest_parity_tolerance_and_a_default_limit_alone_are_enough()
    {
        var policy = PolicyParser.Parse(Minimal.Replace("1.0e-4", "1.0e-3") + "max_harmful_accuracy_over_random: {default: 0.05}\n", "policy.yaml");
        policy.RequiredParityTolerance.Should().Be(1e-3);
        policy.MaxHarmfulAccuracyOverRandom.Should().Equal(new ExcessLimit(null, 0.05));
    }

    private static StrictYamlException Rejected(string yaml, string field, string problem)
    {
        var act = () => PolicyParser.Parse(yaml, "policy.yaml");
        var e = act.Should().Throw<StrictYamlException>().Which;
        e.Field.Should().Be(field);
        e.Message.Should().Contain(problem).And.StartWith("policy.yaml:");
        return e;
    }
}
