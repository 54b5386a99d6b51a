using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;

namespace MlacRelease.Certification.Tests;

/// <summary>The certification ETA weighs runs by the planner's cost, so heavy units taken first do not inflate it.</summary>
public sealed class ProgressEtaTests
{
    private static WorkUnit Unit(string id, int runs, double cost) => new(id, UnitKind.Attack, TargetRole.Model, null, null, runs, cost);

    [Fact]
    public void The_time_left_is_the_planned_cost_left_at_the_speed_so_far()
    {
        // 90 of 100 planned cost done in 90 s: 10 left at 1 per second.
        CostWeightedEta.Remaining(totalCost: 100, doneAtStart: 0, doneNow: 90, TimeSpan.FromSeconds(90))
            .Should().Be(TimeSpan.FromSeconds(10));
        // Resumed work is not speed: 10 computed in 20 s, 40 left, so 80 s.
        CostWeightedEta.Remaining(totalCost: 100, doneAtStart: 50, doneNow: 60, TimeSpan.FromSeconds(20))
            .Should().Be(TimeSpan.FromSeconds(80));
        CostWeightedEta.Remaining(100, 50, 50, TimeSpan.FromSeconds(20)).Should().BeNull("nothing was computed yet");
        CostWeightedEta.Remaining(100, 0, 100, TimeSpan.FromSeconds(20)).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Costs_that_give_no_finite_time_give_no_eta_rather_than_throwing()
    {
        CostWeightedEta.Remaining(double.NaN, 0, 10, TimeSpan.FromSeconds(1)).Should().BeNull();
        CostWeightedEta.Remaining(100, 0, double.NaN, TimeSpan.FromSeconds(1)).Should().BeNull();
        CostWeightedEta.Remaining(double.PositiveInfinity, 0, 10, TimeSpan.FromSeconds(1)).Should().BeNull();
        CostWeightedEta.Remaining(1e300, 0, 1e-300, TimeSpan.FromSeconds(1)).Should().BeNull("past TimeSpan's range");
    }

    [Fact]
    public void A_unit_counts_its_finished_runs_as_equal_shares_of_its_cost()
    {
        var unit = Unit("model/lora/n=20", runs: 4, cost: 200);
        CostWeightedEta.Done(unit, 0).Should().Be(0);
        CostWeightedEta.Done(unit, 1).Should().Be(50);
        CostWeightedEta.Done(unit, 4).Should().Be(200);
        CostWeightedEta.Done(unit, 7).Should().Be(200, "a unit is never more than done");
        CostWeightedEta.Done(Unit("empty", runs: 0, cost: 10), 0).Should().Be(0);
    }

    [Fact]
    public void The_tracker_reports_a_cost_weighted_eta_after_a_heavy_run()
    {
        var folder = Directory.CreateTempSubdirectory("mlac-eta-").FullName;
        try
        {
            var heavy = Unit("model/lora/n=200", runs: 1, cost: 900);
            var light = Unit("model/linear_probe/n=20", runs: 10, cost: 100);
            var store = new ResultStore(folder, "sha256:test");
            // Half the light unit was finished by an earlier process: resumed, not speed.
            WriteRuns(store, light, 5);
            var reports = new List<CertificationProgress>();
            var tracker = new ProgressTracker([heavy, light], store, new Synchronous(reports));
            Thread.Sleep(50);
            WriteRuns(store, heavy, 1);
            tracker.Report("model/lora/n=200: seed-0");

            var report = reports.Should().ContainSingle().Subject;
            report.CompletedRuns.Should().Be(6);
            report.ResumedRuns.Should().Be(5);
            // 900 planned computed in the elapsed time, 50 left: 1/18 of it. Counting runs would say 4 × the elapsed time;
            // counting the resumed 50 as speed, 1/19 (5 % less). A TimeSpan holds whole 100 ns ticks.
            var expected = report.Elapsed.TotalSeconds * 50 / 900;
            report.EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately(expected, expected * 1e-3 + 1e-7);
            report.EstimatedRemaining!.Value.Should().BeLessThan(report.Elapsed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WriteRuns(ResultStore store, WorkUnit unit, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var path = store.RunPath(unit, $"seed-{i}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "{}");
        }
    }

    private sealed class Synchronous(List<CertificationProgress> reports) : IProgress<CertificationProgress>
    {
        public void Report(CertificationProgress value) => reports.Add(value);
    }
}
