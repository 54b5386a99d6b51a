namespace MlacRelease.Cli.Terminal;

/// <summary>Elapsed times and ETAs in progress logs, as hours:minutes:seconds.</summary>
/// <remarks>Why not <c>{t:hh\:mm\:ss}</c>: that drops whole days, so a 26-hour ETA on a large battery would read
/// "02:00:00". Hours here keep counting past 24.</remarks>
public static class ClockText
{
    public static string Format(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        var seconds = (long)t.TotalSeconds;
        return $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}";
    }
}
