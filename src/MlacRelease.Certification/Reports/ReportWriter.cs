using System.Globalization;
using System.Text;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Metrics;
using MlacRelease.Certification.Policies;
using MlacRelease.Common.IO;

namespace MlacRelease.Certification.Reports;

/// <summary>
/// A human-readable report of a certificate: report.md (verdict, worst case, per-attack tables, retention, examples
/// to reach accuracy levels, the search budget) and PNG plots beside it. Everything in it is read from the
/// certificate, so a report can be regenerated from any certificate.
/// </summary>
public static class ReportWriter
{
    public const string FileName = "report.md";

    /// <returns>The path of report.md.</returns>
    public static string Write(Certificate certificate, string folder)
    {
        Directory.CreateDirectory(folder);
        var plots = new List<string>();
        foreach (var attack in certificate.Context.Battery.Content.Attacks) plots.Add(PlotWriter.AccuracyByDataSize(certificate, attack.Name, folder));
        plots.Insert(0, PlotWriter.BestAttackByDataSize(certificate, folder));
        if (PlotWriter.CurvesAtLargestSize(certificate, folder) is { } curves) plots.Insert(1, curves);
        var path = Path.Combine(folder, FileName);
        AtomicFile.WriteAllText(path, Markdown(certificate, plots.Select(Path.GetFileName).ToList()!));
        return path;
    }

    public static string Markdown(Certificate c, IReadOnlyList<string> plotFiles)
    {
        var ctx = c.Context;
        var battery = ctx.Battery.Content;
        var md = new StringBuilder();
        md.AppendLine("# Certification report");
        md.AppendLine();
        md.AppendLine($"- Model weights: `{ctx.Model.WeightDigest}`{(ctx.Model.FileDigest is { } f ? $" (file `{f}`)" : "")} — {ctx.Model.Layers} layers × {ctx.Model.HiddenSize} hidden, {ctx.Model.AttentionHeads} heads");
        md.AppendLine($"- Pretrained reference: `{ctx.References.PretrainedWeightDigest}`; random-init twin: `{ctx.References.RandomInitWeightDigest}` (seed {ctx.References.RandomInitSeed})");
        md.AppendLine($"- Battery: **{battery.Name}** `{ctx.Battery.Digest}`{(ctx.Battery.Preset is { } p ? $" (the built-in `{p}` preset)" : " (not a built-in preset)")}");
        md.AppendLine($"- Data: dataset `{ctx.Data.DatasetDigest}`, split seed {ctx.Data.SplitSeed}, max length {ctx.Data.MaxLength}; attacker train {ctx.Data.AttackerTrainExamples}, tune {ctx.Data.TuneExamples}, test {ctx.Data.TestExamples}; harmful labels: {string.Join(", ", ctx.Data.HarmfulLabels)}");
        md.AppendLine($"- Toolkit {ctx.Tool.Name} {ctx.Tool.Version}; numerics: {ctx.Numerics.Device}, {ctx.Numerics.IntraOpThreads} intra-op thread(s) per run");
        md.AppendLine($"- Certificate identity `{c.Identity}`, integrity `{c.Integrity?.Digest}`");
        md.AppendLine();
        md.AppendLine($"Attacker search budget: {c.Search.Method}, {c.Search.Trials} sampled configurations per attack, data size and target (η = {c.Search.Eta}, {c.Search.Rungs} rung(s)), best configuration rerun with {c.Search.Seeds} seed(s): {c.Search.RunsPerTarget} fine-tuning runs per target, {c.Search.TotalRuns} in all. Reported accuracies are on the test split, at the checkpoint the attacker chose on its tuning split.");
        md.AppendLine();

        md.AppendLine("## Verdict");
        md.AppendLine();
        if (c.Verdict is null)
        {
            md.AppendLine("No policy was given: no verdict.");
        }
        else
        {
            md.AppendLine(c.Verdict.Passed ? "**PASS**" : "**FAIL**");
            md.AppendLine();
            md.AppendLine("| check | status | detail |");
            md.AppendLine("|---|---|---|");
            foreach (var check in c.Verdict.Checks) md.AppendLine($"| {check.Name} | {Status(check.Status)} | {Escape(check.Detail)} |");
        }
        md.AppendLine();

        md.AppendLine("## Worst case over the battery");
        md.AppendLine();
        md.AppendLine("Per data size, the strongest attack against each target (possibly different attacks). Blocking = (pretrained − model) / (pretrained − random init); 1 = as hard as training from scratch, 0 = no protection.");
        md.AppendLine();
        md.AppendLine(ErrorNote(c));
        md.AppendLine();
        md.AppendLine("| n | strongest attack on model | model | pretrained | random init | blocking | lowest per-attack blocking | model − random |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var w in c.WorstCase.BySize)
        {
            md.AppendLine($"| {w.TrainExamples} | {w.StrongestAttack} | {F(w.ModelAccuracy)} | {F(w.PretrainedAccuracy)} | {F(w.RandomInitAccuracy)} | {Blocking(w.BlockingScore, BlockingUncertainty.OfBestAttack(w, c.Summary.Attacks, c.Context.Data.TestExamples))} | {Blocking(w.LowestAttackBlockingScore, BlockingUncertainty.OfLowestAttack(w, c.Summary.Attacks, c.Context.Data.TestExamples))}{(w.LowestBlockingAttack is { } a ? $" ({a})" : "")} | {Signed(w.ExcessOverRandom)} |");
        }
        md.AppendLine();
        md.AppendLine($"Lowest blocking score: {Blocking(c.WorstCase.MinBlockingScore, BlockingUncertainty.OfMinimum(c.WorstCase, c.Summary.Attacks, c.Context.Data.TestExamples))}{(c.WorstCase.MinBlockingWhere is { } where ? $" ({where})" : "")}. Largest model accuracy above random init: {Signed(c.WorstCase.MaxExcessOverRandom)} ({c.WorstCase.MaxExcessWhere}). Highest harmful accuracy on the model: {F(c.WorstCase.MaxModelAccuracy)} ({c.WorstCase.MaxModelAccuracyWhere}).");
        md.AppendLine();

        md.AppendLine("## Attacks");
        md.AppendLine();
        md.AppendLine("Harmful accuracy, mean ± sd over seeds (AUROC for the model in brackets for binary tasks); \"final\" is the model's accuracy after the last step, without early stopping.");
        md.AppendLine();
        md.AppendLine("| attack | n | model | pretrained | random init | blocking | model final | chosen configuration (model) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in c.Summary.Attacks)
        {
            var config = c.Attacks.First(u => u.Attack == row.Attack && u.DataSize == row.DataSize && u.Target == TargetRole.Model).BestConfig;
            md.AppendLine($"| {row.Attack} | {row.TrainExamples} | {Score(row.Model)} | {Score(row.Pretrained)} | {Score(row.RandomInit)} | {Blocking(row.BlockingScore, BlockingUncertainty.OfRow(row, c.Context.Data.TestExamples))} | {F(row.Model.FinalAccuracy.Mean)} | {Escape(Describe(config))} |");
        }
        md.AppendLine();

        var r = c.Summary.Retention;
        md.AppendLine("## Desired-task retention");
        md.AppendLine();
        md.AppendLine("| measure | model | pretrained | random init | retention (model / pretrained) |");
        md.AppendLine("|---|---|---|---|---|");
        md.AppendLine($"| probe accuracy | {F(r.ModelProbe)} | {F(r.PretrainedProbe)} | {F(r.RandomInitProbe)} | {F(r.ProbeRetention)} |");
        md.AppendLine($"| fine-tune accuracy | {F(r.ModelFineTune)} | {F(r.PretrainedFineTune)} | {F(r.RandomInitFineTune)} | {F(r.FineTuneRetention)} |");
        md.AppendLine();

        md.AppendLine("## Examples to reach a harmful accuracy");
        md.AppendLine();
        var levels = battery.Metrics.AccuracyTargets;
        md.AppendLine($"| attack | target | {string.Join(" | ", levels.Select(l => "≥ " + F(l)))} |");
        md.AppendLine($"|---|---|{string.Concat(levels.Select(_ => "---|"))}");
        foreach (var group in c.Summary.ExamplesToReach.GroupBy(e => (e.Attack, e.Target)))
        {
            md.AppendLine($"| {group.Key.Attack} | {Target(group.Key.Target)} | {string.Join(" | ", group.Select(e => e.Examples?.ToString(CultureInfo.InvariantCulture) ?? "—"))} |");
        }
        md.AppendLine();
        md.AppendLine("\"—\": not reached at any data size in the battery.");
        md.AppendLine();

        md.AppendLine("## Plots");
        md.AppendLine();
        foreach (var plot in plotFiles) md.AppendLine($"![{plot}]({plot})");
        return md.ToString();
    }

    private static string Describe(Attacks.AttackConfig config)
    {
        if (config.ProbeL2 is { } l2) return $"L2 {G(l2)}";
        var t = config.Training!;
        var text = $"{t.Optimizer} lr {G(t.LearningRate)} {t.Schedule}, batch {t.BatchSize}, {t.Steps} steps";
        if (config.Lora is { } lora) text += $", rank {lora.Rank} α {G(lora.Alpha)}";
        if (config.ReinitLayers is { } k) text += $", top {k} layer(s) re-initialised" + (config.FreezeLowerLayers == true ? ", the layers under them frozen" : "");
        if (config.Benign is { } b) text += $", after {b.Training.Steps} benign steps at lr {G(b.Training.LearningRate)}";
        return text;
    }

    private static string Score(TargetScore s) =>
        $"{F(s.Accuracy.Mean)} ± {F(s.Accuracy.StandardDeviation)}{(s.Target == TargetRole.Model && s.Auroc is { } a ? $" [{F(a.Mean)}]" : "")}";

    private static string Target(TargetRole role) => role switch
    {
        TargetRole.Model => "model",
        TargetRole.Pretrained => "pretrained",
        _ => "random init",
    };

    private static string Status(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "pass",
        CheckStatus.Fail => "**FAIL**",
        _ => "deferred",
    };

    private static string Blocking(double? value) => value is { } v ? F(v) : "undefined";

    private static string Blocking(double? value, double? standardError) =>
        value is { } v && standardError is { } e ? $"{F(v)} ± {e.ToString("0.00", CultureInfo.InvariantCulture)}" : Blocking(value);

    private static string ErrorNote(Certificate c)
    {
        var seeds = c.Search.Seeds;
        var spread = seeds > 1
            ? $"the spread over the {seeds} seeds"
            : "the evaluation sample only (with one seed the spread between attack seeds is not measured, so it is not counted)";
        return $"± after a blocking score: its approximate standard error, from {spread} and the {c.Context.Data.TestExamples} test examples' binomial noise, " +
               "propagated through the ratio. Two readings of the same weights differ by about that much.";
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Signed(double value) => value.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);

    private static string G(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
