using MlacRelease.Cli.Commands;

namespace MlacRelease.Cli.Tests;

/// <summary>
/// Every built-in preset and every battery in release-checks/extra-batteries/, planned through the real
/// <c>mlac certify</c> command on the data the issue names (builtin:bios:40000): model, reference, data, split and
/// tokenization are loaded and the battery is checked against the data exactly as a run does, then the plan is
/// printed instead of running it. Before the certify command asked the battery how many desired-task examples it
/// needs, standard and paper exited 2 here ("needs 2000 desired-task examples, the data has 400").
/// </summary>
public sealed class CertifyPlanTests : IDisposable
{
    private readonly TempFolder _out = new("mlac-cli-plan-");

    public void Dispose() => _out.Dispose();

    private static IReadOnlyList<string> BatteryNames { get; } =
    [
        "quick", "standard", "paper", "validation",
        .. Directory.EnumerateFiles(RepositoryFiles.Path("release-checks", "extra-batteries"), "*.yaml").Order(StringComparer.Ordinal),
    ];

    public static TheoryData<string> Batteries() => new(BatteryNames);

    [Theory]
    [MemberData(nameof(Batteries))]
    public async Task Every_battery_plans_through_mlac_certify_on_40000_biographies(string battery)
    {
        var code = await Certify("--battery", battery);
        code.Should().Be(0, $"mlac certify --battery {battery} --plan must get past every input check");
    }

    [Fact]
    public async Task A_shard_of_standard_plans_too()
    {
        (await Certify("--battery", "standard", "--shard", "3/16")).Should().Be(0);
    }

    [Fact]
    public void Every_preset_is_covered()
    {
        BatteryNames.Should().Contain(MlacRelease.Certification.Batteries.BatteryPresets.Names, "a new preset must be planned here too");
    }

    private Task<int> Certify(params string[] arguments) => CertifyCommand.Create().Parse([
        "--model", "builtin:minilm:1", "--data", "builtin:bios:40000", "--out", Path.Combine(_out.Path, "cert"), "--plan",
        "--baseline-cache", SharedOptions.NoBaselineCache, "--no-progress", "--threads-per-worker", "1", .. arguments]).InvokeAsync();
}
