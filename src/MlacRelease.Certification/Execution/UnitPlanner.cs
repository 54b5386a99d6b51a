using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Search;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Expands a battery into its work units in canonical order (target, then retention, then attacks in battery
/// order, then sizes), with run counts and cost estimates. The order and the ids depend only on the battery.
/// </summary>
public static class UnitPlanner
{
    public static IReadOnlyList<WorkUnit> Plan(Battery battery, DataShape data)
    {
        var units = new List<WorkUnit>();
        foreach (var role in Enum.GetValues<TargetRole>())
        {
            var target = WorkUnit.TargetName(role);
            var retention = battery.Retention;
            units.Add(new WorkUnit($"{target}/retention", UnitKind.Retention, role, null, null, 1,
                TrainCost(retention.FineTune.Steps, retention.FineTune.BatchSize, data) + (retention.TrainExamples + 2.0 * data.Test) * data.MeanTokens));
            foreach (var attack in battery.Attacks)
            {
                foreach (var size in battery.DataSizes)
                {
                    var n = size.Resolve(data.AttackerTrain);
                    units.Add(new WorkUnit($"{target}/{attack.Name}/n={size.Label}", UnitKind.Attack, role, attack, size,
                        RunsPerUnit(battery, attack), UnitCost(battery, attack, n, data)));
                }
            }
        }
        return units;
    }

    public static int RunsPerUnit(Battery battery, AttackSpace attack) =>
        SuccessiveHalving.RunCount(battery.Search, attack.IsBudgeted) + battery.Seeds.Count;

    /// <summary>Expected cost: the mean sampled steps and batch size through every rung and seed rerun, plus the
    /// evaluations they trigger (every E steps on the tuning split; the test split once or twice per seed rerun, for
    /// the final and the best checkpoint; search runs score no test split), plus a benign phase per first-rung trial
    /// and seed rerun (later rungs restore theirs).</summary>
    private static double UnitCost(Battery battery, AttackSpace attack, int n, DataShape data)
    {
        if (!attack.IsBudgeted)
            return (n + data.Tune + data.Test) * data.MeanTokens / 3.0 + (SuccessiveHalving.RunCount(battery.Search, false) + battery.Seeds.Count) * 1.0;
        var training = attack.Training!;
        var steps = training.Steps.Average();
        var batch = training.BatchSizes.Average(b => Math.Min(b, n));
        var rungs = SuccessiveHalving.Plan(battery.Search, true);
        var fractions = rungs.Sum(r => r.Configurations * r.BudgetFraction) + battery.Seeds.Count;
        var perFullRun = TrainCost(steps, batch, data) + (steps / battery.Evaluation.Every + 1) * data.Tune * data.MeanTokens;
        var benignPhases = rungs[0].Configurations + battery.Seeds.Count;
        var benign = attack.Benign is { } b ? TrainCost(b.Steps.Average(), b.BatchSize, data) : 0;
        return fractions * perFullRun + battery.Seeds.Count * 1.5 * data.Test * data.MeanTokens + benignPhases * benign;
    }

    private static double TrainCost(double steps, double batch, DataShape data) => 3.0 * steps * batch * data.MeanTokens;
}

/// <summary>The sizes a plan needs: split sizes after the battery's caps and the mean tokens per example.</summary>
public sealed record DataShape(int AttackerTrain, int Tune, int Test, double MeanTokens)
{
    internal static DataShape Of(AttackContext context) => new(context.AttackerTrain.Count, context.Tune.Count, context.Test.Count,
        context.AttackerTrain.Concat(context.Test.Examples).Average(e => e.TokenIds.Length));
}
