using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Metrics;

namespace MlacRelease.Certification.Reports;

/// <summary>PNG plots (ScottPlot 5) of a certificate: harmful accuracy against attacker data for the model and both
/// references, per attack and for the attacker's best; and the tuning curves over steps at the largest n.</summary>
internal static class PlotWriter
{
    private static readonly (TargetRole Role, string Label, ScottPlot.Color Color)[] Targets =
    [
        (TargetRole.Model, "model", ScottPlot.Colors.Crimson),
        (TargetRole.Pretrained, "pretrained", ScottPlot.Colors.SteelBlue),
        (TargetRole.RandomInit, "random init", ScottPlot.Colors.Gray),
    ];

    public static string AccuracyByDataSize(Certificate certificate, string attack, string folder)
    {
        var rows = certificate.Summary.Attacks.Where(r => r.Attack == attack).ToList();
        var plot = new ScottPlot.Plot();
        var xs = rows.Select(r => Math.Log10(r.TrainExamples)).ToArray();
        foreach (var (role, label, color) in Targets)
        {
            var scores = rows.Select(r => SummaryCalculator.ScoreOf(r, role).Accuracy).ToList();
            var ys = scores.Select(s => s.Mean).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = label;
            line.Color = color;
            line.MarkerSize = 6;
            var bars = plot.Add.ErrorBar(xs, ys, scores.Select(s => s.StandardDeviation).ToArray());
            bars.Color = color;
        }
        Finish(plot, rows.Select(r => r.TrainExamples).ToList(), $"{attack}: harmful accuracy after the attacker's best (test split, mean ± sd over seeds)");
        return Save(plot, folder, $"accuracy-{attack}.png");
    }

    public static string BestAttackByDataSize(Certificate certificate, string folder)
    {
        var bySize = certificate.WorstCase.BySize;
        var plot = new ScottPlot.Plot();
        var xs = bySize.Select(w => Math.Log10(w.TrainExamples)).ToArray();
        foreach (var (role, label, color) in Targets)
        {
            var ys = bySize.Select(w => role switch
            {
                TargetRole.Model => w.ModelAccuracy,
                TargetRole.Pretrained => w.PretrainedAccuracy,
                _ => w.RandomInitAccuracy,
            }).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = label;
            line.Color = color;
            line.MarkerSize = 6;
        }
        Finish(plot, bySize.Select(w => w.TrainExamples).ToList(), "Worst case: strongest attack per target (test split, mean over seeds)");
        return Save(plot, folder, "accuracy-best-attack.png");
    }

    /// <summary>Tuning accuracy over steps of the strongest attack at the largest n, first seed, all three targets.</summary>
    public static string? CurvesAtLargestSize(Certificate certificate, string folder)
    {
        var worst = certificate.WorstCase.BySize[^1];
        var plot = new ScottPlot.Plot();
        var any = false;
        foreach (var (role, label, color) in Targets)
        {
            var unit = certificate.Attacks.FirstOrDefault(u => u.Attack == worst.StrongestAttack && u.DataSize == worst.DataSize && u.Target == role);
            var curve = unit?.Runs.FirstOrDefault()?.Result.Curve;
            if (curve is null || curve.Count < 2) continue;
            var line = plot.Add.ScatterLine(curve.Select(p => (double)p.Step).ToArray(), curve.Select(p => p.TuneAccuracy).ToArray());
            line.LegendText = label;
            line.Color = color;
            any = true;
        }
        if (!any) return null;
        plot.Title($"{worst.StrongestAttack}, n = {worst.DataSize.Label}: tuning accuracy during training (seed {certificate.Context.Battery.Content.Seeds[0]})");
        plot.XLabel("optimiser step");
        plot.YLabel("harmful accuracy (tuning split)");
        plot.Axes.SetLimitsY(0, 1.02);
        plot.ShowLegend();
        return Save(plot, folder, "curves-largest-n.png");
    }

    private static void Finish(ScottPlot.Plot plot, IReadOnlyList<int> sizes, string title)
    {
        var ticks = sizes.Distinct().Select(n => new ScottPlot.Tick(Math.Log10(n), n.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Title(title);
        plot.XLabel("attacker examples n (log scale)");
        plot.YLabel("harmful accuracy");
        var low = Math.Log10(sizes.Min()) - 0.15;
        var high = Math.Log10(sizes.Max()) + 0.15;
        plot.Axes.SetLimits(low, high, 0, 1.02);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
    }

    private static string Save(ScottPlot.Plot plot, string folder, string name)
    {
        var path = Path.Combine(folder, name);
        plot.SavePng(path, 900, 520);
        return path;
    }
}
