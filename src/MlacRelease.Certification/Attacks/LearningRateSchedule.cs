namespace MlacRelease.Certification.Attacks;

/// <summary>The learning rate at a step of a schedule; a pure function, so a run's rates follow from its settings.</summary>
public static class LearningRateSchedule
{
    /// <param name="step">0-based index of the optimiser step about to be taken.</param>
    /// <param name="totalSteps">T: the number of steps in this run.</param>
    public static double At(ScheduleKind kind, double baseRate, double warmupFraction, int step, int totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (kind == ScheduleKind.Constant) return baseRate;
        var warmup = (int)Math.Round(Math.Clamp(warmupFraction, 0, 1) * totalSteps);
        // Rates are those for step + 1 so the first step is not wasted at a rate of exactly zero.
        if (step < warmup) return baseRate * (step + 1) / warmup;
        var decaySteps = Math.Max(1, totalSteps - warmup);
        var progress = Math.Clamp((double)(step - warmup) / decaySteps, 0, 1);
        return kind switch
        {
            ScheduleKind.LinearWarmup => baseRate * (1 - progress),
            ScheduleKind.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }
}
