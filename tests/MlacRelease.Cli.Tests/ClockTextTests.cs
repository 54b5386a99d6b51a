using MlacRelease.Cli.Terminal;

namespace MlacRelease.Cli.Tests;

/// <summary>Progress logs show hours past a day instead of wrapping.</summary>
public sealed class ClockTextTests
{
    [Theory]
    [InlineData(0, "00:00:00")]
    [InlineData(59.9, "00:00:59")]
    [InlineData(3_723, "01:02:03")]
    [InlineData(93_784, "26:03:04")]
    [InlineData(-5, "00:00:00")]
    public void Formats_as_total_hours_minutes_seconds(double seconds, string expected) =>
        ClockText.Format(TimeSpan.FromSeconds(seconds)).Should().Be(expected);
}
