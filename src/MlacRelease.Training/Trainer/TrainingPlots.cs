namespace MlacRelease.Training.Trainer;

/// <summary>PNG curves of a run's metrics log: the outer-loss terms per step and the validation metrics.</summary>
public static class TrainingPlots
{
    public static IReadOnlyList<string> Write(string metricsPath, string folder)
    {
        var metrics = MetricsLog.Read(metricsPath);
        Directory.CreateDirectory(folder);
        var steps = metrics.Where(m => m.Evaluation is null).ToList();
        var evaluations = metrics.Where(m => m.Evaluation is not null).ToList();
        var written = new List<string>();

        if (steps.Count > 0)
        {
            var plot = new ScottPlot.Plot();
            double[] x = steps.Select(m => (double)m.Step).ToArray();
            void Line(string label, Func<TrainingMetrics, double> value)
            {
                var ys = steps.Select(value).ToArray();
                if (ys.All(double.IsFinite)) plot.Add.ScatterLine(x, ys).LegendText = label;
            }
            Line("desired CE (θ)", m => m.DesiredCrossEntropy);
            Line("attacker CE, mean over k", m => m.AttackerCrossEntropy);
            Line("attacker CE after K steps", m => m.AttackerCrossEntropyLast);
            Line("attacker CE after best remap", m => m.HeadAdjustedCrossEntropy);
            plot.Title("MLAC training losses");
            plot.XLabel("outer step");
            plot.YLabel("cross-entropy (nats)");
            plot.ShowLegend();
            var path = Path.Combine(folder, "losses.png");
            plot.SavePng(path, 900, 500);
            written.Add(path);
        }
        if (evaluations.Count > 0)
        {
            var plot = new ScottPlot.Plot();
            double[] x = evaluations.Select(m => (double)m.Step).ToArray();
            plot.Add.ScatterLine(x, evaluations.Select(m => m.Evaluation!.DesiredAccuracy).ToArray()).LegendText = "desired accuracy (validation)";
            plot.Add.ScatterLine(x, evaluations.Select(m => m.Evaluation!.HarmfulProbeAccuracy).ToArray()).LegendText = "harmful accuracy, quick probe";
            written.Add(SaveAccuracies(plot, "Validation", Path.Combine(folder, "validation.png")));
        }
        var layered = evaluations.Where(m => m.Evaluation!.HarmfulLayerProbeAccuracy is { Count: > 0 }).ToList();
        if (layered.Count > 0)
        {
            // One line per layer: where the harmful label stays linearly readable, which the final-output probe cannot show.
            var plot = new ScottPlot.Plot();
            double[] x = layered.Select(m => (double)m.Step).ToArray();
            var layers = layered.Min(m => m.Evaluation!.HarmfulLayerProbeAccuracy!.Count);
            for (var layer = 0; layer < layers; layer++)
                plot.Add.ScatterLine(x, layered.Select(m => m.Evaluation!.HarmfulLayerProbeAccuracy![layer]).ToArray()).LegendText = $"layer {layer + 1}";
            written.Add(SaveAccuracies(plot, "Harmful accuracy of the quick probe on each layer's mean-pooled output (validation)", Path.Combine(folder, "layer-probes.png")));
        }
        return written;
    }

    /// <summary>Saves an accuracy-per-outer-step plot (y from 0 to 1) as a PNG; returns its path.</summary>
    private static string SaveAccuracies(ScottPlot.Plot plot, string title, string path)
    {
        plot.Title(title);
        plot.XLabel("outer step");
        plot.YLabel("accuracy");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
        return path;
    }
}
