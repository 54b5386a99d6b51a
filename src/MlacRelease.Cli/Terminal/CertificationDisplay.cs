using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Execution;
using MlacRelease.Common.Text;
using Spectre.Console;

namespace MlacRelease.Cli.Terminal;

/// <summary>Certification progress (bar with ETA, or log lines at <see cref="LogCadence"/>) and the headline table of a certificate.</summary>
public sealed class CertificationDisplay(OutputMode mode) : IProgress<CertificationProgress>
{
    private ProgressTask? _task;
    private readonly LogCadence _cadence = new(TimeSpan.FromMinutes(2));

    public async Task<T> RunAsync<T>(Func<IProgress<CertificationProgress>, Task<T>> body)
    {
        if (!mode.Live) return await body(this);
        T result = default!;
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                _task = context.AddTask("certifying", maxValue: 1);
                result = await body(this);
                _task.Value = _task.MaxValue;
            });
        return result;
    }

    public void Report(CertificationProgress p)
    {
        if (_task is not null)
        {
            _task.MaxValue = p.TotalRuns;
            _task.Value = p.CompletedRuns;
            _task.Description = Markup.Escape($"{p.CompletedRuns}/{p.TotalRuns} runs ({p.ResumedRuns} resumed) | {p.LastRun}");
            return;
        }
        if (_cadence.ShouldLog(p.CompletedRuns, p.TotalRuns, p.Elapsed))
        {
            var eta = p.EstimatedRemaining is { } r ? $", ETA {ClockText.Format(r)}" : "";
            mode.Info($"runs {p.CompletedRuns}/{p.TotalRuns} ({p.ResumedRuns} resumed) | {ClockText.Format(p.Elapsed)} elapsed{eta} | {p.LastRun}");
        }
    }

    /// <summary>Attacker's best harmful accuracy per data size for model, pretrained and random init, and the verdict.</summary>
    public static void PrintHeadline(OutputMode mode, Certificate certificate)
    {
        var table = new Table().Title("harmful-task accuracy at the attacker's best (test split)")
            .AddColumns("n", "strongest attack", "model", "pretrained", "random init", "blocking", "model − random");
        foreach (var w in certificate.WorstCase.BySize)
        {
            table.AddRow(w.DataSize.ToString() ?? "", Markup.Escape(w.StrongestAttack), $"{w.ModelAccuracy:P1}", $"{w.PretrainedAccuracy:P1}",
                $"{w.RandomInitAccuracy:P1}", w.BlockingScore is { } b ? $"{b:F2}" : Markup.Escape(w.BlockingNote ?? "n/a"), $"{w.ExcessOverRandom:+0.0%;-0.0%}");
        }
        var r = certificate.Summary.Retention;
        if (mode.Json) return;
        if (System.Console.IsOutputRedirected)
        {
            foreach (var w in certificate.WorstCase.BySize)
                mode.Info($"n={w.DataSize}: model {w.ModelAccuracy:P1} | pretrained {w.PretrainedAccuracy:P1} | random {w.RandomInitAccuracy:P1} | blocking {(w.BlockingScore is { } b ? b.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : w.BlockingNote ?? "n/a")} | strongest {w.StrongestAttack}");
        }
        else AnsiConsole.Write(table);
        mode.Info($"desired task: model probe {r.ModelProbe:P1} / fine-tune {r.ModelFineTune:P1}; pretrained {r.PretrainedProbe:P1} / {r.PretrainedFineTune:P1}; retention {r.Retention:P1}");
        if (certificate.Verdict is { } verdict)
        {
            mode.Info($"policy verdict: {(verdict.Passed ? "PASS" : "FAIL")}");
            foreach (var check in verdict.Checks) mode.Info($"  {check.Status,-5} {check.Name}: {PrintableText.OneLine(check.Detail)}");
        }
    }
}
