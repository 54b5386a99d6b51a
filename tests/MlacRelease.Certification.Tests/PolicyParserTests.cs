using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Policies;

namespace MlacRelease.Certification.Tests;

public sealed class PolicyParserTests
{
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
    }

    [Theory]
    [InlineData("min_blocking_score: 0.8\nmin_blocking: 0.9", "min_blocking", "unknown key")]
    [InlineData("required_battery: standrd", "required_battery", "unknown battery preset")]
    [InlineData("max_harmful_accuracy_over_random: {twenty: 0.1}", "max_harmful_accuracy_over_random.twenty", "expected a data size")]
    [InlineData("max_harmful_accuracy_over_random: {\"20\": 1.5}", "max_harmful_accuracy_over_random.20", "at most 1")]
    [InlineData("required_parity_tolerance: 0", "required_parity_tolerance", "greater than 0")]
    [InlineData("undefined_blocking: maybe", "undefined_blocking", "expected 'pass' or 'fail'")]
    public void Mistakes_are_rejected_with_their_field(string body, string field, string problem)
    {
        var act = () => PolicyParser.Parse("schema: mlac.policy/v1\n" + body + "\n", "policy.yaml");
        var e = act.Should().Throw<StrictYamlException>().Which;
        e.Field.Should().Be(field);
        e.Message.Should().Contain(problem).And.StartWith("policy.yaml:");
    }
}
