namespace MlacRelease.Certification.Selection;

/// <summary>selection.png: each candidate's validation worst-case blocking and desired-task drop against its step,
/// with the chosen one marked, so a reviewer sees at a glance whether blocking still rose when training stopped.</summary>
public static class SelectionPlot
{
    public const string FileName = "selection.png";

    public static string Write(SelectionResult selection, string folder)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var plot = new ScottPlot.Plot();
        var defined = selection.Candidates.Where(c => c.WorstCaseBlocking is not null).ToList();
        var blocking = plot.Add.ScatterLine(defined.Select(c => (double)c.Step).ToArray(), defined.Select(c => c.WorstCaseBlocking!.Value).ToArray());
        blocking.LegendText = "worst-case blocking (validation battery)";
        blocking.Color = ScottPlot.Colors.Crimson;
        blocking.MarkerSize = 6;
        // ± one standard error: steps whose bars overlap are not told apart by the validation battery.
        var withError = defined.Where(c => c.WorstCaseBlockingError is not null).ToList();
        if (withError.Count > 0)
        {
            var bars = plot.Add.ErrorBar(withError.Select(c => (double)c.Step).ToArray(), withError.Select(c => c.WorstCaseBlocking!.Value).ToArray(),
                withError.Select(c => c.WorstCaseBlockingError!.Value).ToArray());
            bars.Color = ScottPlot.Colors.Crimson;
        }
        var drop = plot.Add.ScatterLine(selection.Candidates.Select(c => (double)c.Step).ToArray(), selection.Candidates.Select(c => c.DesiredDrop).ToArray());
        drop.LegendText = "desired-task drop from pretrained";
        drop.Color = ScottPlot.Colors.SteelBlue;
        drop.MarkerSize = 4;
        // The allowed drop: the rule's tolerance plus each candidate's measurement-noise allowance.
        var allowed = plot.Add.ScatterLine(selection.Candidates.Select(c => (double)c.Step).ToArray(),
            selection.Candidates.Select(c => selection.DesiredTolerance + c.DesiredDropNoise).ToArray());
        allowed.LegendText = "allowed drop (tolerance + noise)";
        allowed.Color = ScottPlot.Colors.SteelBlue;
        allowed.LinePattern = ScottPlot.LinePattern.Dashed;
        allowed.MarkerSize = 0;
        if (selection.Chosen is { WorstCaseBlocking: { } chosen } c)
        {
            var marker = plot.Add.Marker(c.Step, chosen);
            marker.Size = 14;
            marker.Color = ScottPlot.Colors.Black;
            marker.LegendText = $"released (step {c.Step})";
        }
        plot.Title($"checkpoint selection on attacker-tune data ({selection.Battery} battery)");
        plot.XLabel("outer step");
        plot.YLabel("score");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        var path = Path.Combine(folder, FileName);
        plot.SavePng(path, 900, 520);
        return path;
    }
}
