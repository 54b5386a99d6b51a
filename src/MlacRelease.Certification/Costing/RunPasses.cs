using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Execution;

namespace MlacRelease.Certification.Costing;

/// <summary>
/// Token passes of one attack run as <see cref="AttackRunner"/> makes it (forward = 1, forward and backward = 3),
/// split into what scales with training and what is evaluation. Unlike the planner's balancing model, costs paid once
/// per run are counted once per run: the whole benign phase (unless restored, <see cref="RunKind.LaterRungSearch"/>),
/// a tuning evaluation at every E steps and after the last, and for a seed rerun one test scoring (two when the best
/// checkpoint is not the last). Search runs score no test split.
/// </summary>
public readonly record struct RunPasses(double Training, double Evaluation)
{
    /// <summary>A run that trained <paramref name="steps"/> steps (after its benign phase, when
    /// <paramref name="benignPhase"/>), evaluated the tuning split <paramref name="tuneEvaluations"/> times and scored the
    /// test split <paramref name="testScorings"/> times.</summary>
    public static RunPasses Of(AttackConfig config, int attackerExamples, int steps, double tuneEvaluations, double testScorings, DataShape shape,
        bool benignPhase = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(shape);
        var training = config.Training ?? throw new ArgumentException($"{config.Family} trains no weights: it has no run passes", nameof(config));
        var harmful = 3.0 * steps * Math.Min(training.BatchSize, attackerExamples) * shape.MeanTokens;
        var benign = benignPhase && config.Benign is { } b ? 3.0 * b.Training.Steps * Math.Min(b.Training.BatchSize, b.Examples) * shape.MeanTokens : 0;
        return new RunPasses(harmful + benign, (tuneEvaluations * shape.Tune + testScorings * shape.Test) * shape.MeanTokens);
    }

    /// <summary>What a finished run that trained its own benign phase did, read from its result.</summary>
    public static RunPasses Of(AttackConfig config, AttackRunResult result, DataShape shape)
    {
        ArgumentNullException.ThrowIfNull(result);
        var testScorings = !result.HasTestScores() ? 0 : result.BestStep == result.Steps ? 1 : 2;
        return Of(config, result.TrainExamples, result.Steps, result.Curve.Count, testScorings, shape);
    }

    /// <summary>What a run of <paramref name="steps"/> steps is expected to do: evaluations every
    /// <paramref name="every"/> steps and after the last; for a seed rerun one test scoring when it evaluates once, else
    /// 1.5 (the best checkpoint is the last one about half the time).</summary>
    public static RunPasses Expected(AttackConfig config, int attackerExamples, int steps, int every, DataShape shape, RunKind kind)
    {
        var evaluations = TuneEvaluations(steps, every);
        var testScorings = kind != RunKind.SeedRerun ? 0 : evaluations == 1 ? 1 : 1.5;
        return Of(config, attackerExamples, steps, evaluations, testScorings, shape, benignPhase: kind != RunKind.LaterRungSearch);
    }

    public static int TuneEvaluations(int steps, int every)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        return Math.Max(1, steps / every + (steps % every == 0 ? 0 : 1));
    }
}
