using MlacRelease.Cli.Terminal;

namespace MlacRelease.Cli.Tests;

/// <summary>A progress log prints every 4 % of runs or after two quiet minutes, whichever comes first, and once at the end.</summary>
public sealed class LogCadenceTests
{
    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void Slow_runs_still_get_a_line_once_the_interval_has_passed()
    {
        var cadence = new LogCadence(TimeSpan.FromMinutes(2));
        // 390 runs: 4 % is 15. Three slow runs inside two minutes print nothing; the first after it does.
        cadence.ShouldLog(1, 390, Seconds(40)).Should().BeFalse();
        cadence.ShouldLog(2, 390, Seconds(90)).Should().BeFalse();
        cadence.ShouldLog(3, 390, Seconds(125)).Should().BeTrue();
        // The interval counts from the last line, not from the start.
        cadence.ShouldLog(4, 390, Seconds(200)).Should().BeFalse();
        cadence.ShouldLog(5, 390, Seconds(246)).Should().BeTrue();
    }

    [Fact]
    public void Fast_runs_print_every_four_percent_and_the_end_once()
    {
        var cadence = new LogCadence(TimeSpan.FromMinutes(2));
        var logged = Enumerable.Range(1, 100).Where(i => cadence.ShouldLog(i, 100, Seconds(i * 0.1))).ToList();
        logged.Should().Equal(Enumerable.Range(0, 25).Select(k => 4 * k + 3).Append(100));
        cadence.ShouldLog(100, 100, Seconds(500)).Should().BeFalse("the same count is never printed twice");
    }
}
