using MlacRelease.Training.Trainer;
using Spectre.Console;

namespace MlacRelease.Cli.Terminal;

/// <summary>Shows training progress: a live bar with ETA on a terminal, else a log line per evaluation and every ~2% of steps.</summary>
public sealed class TrainingProgressDisplay(OutputMode mode, long totalSteps) : IProgress<TrainingProgress>
{
    private ProgressTask? _task;
    private long _lastLogged = -1;

    public async Task<T> RunAsync<T>(Func<IProgress<TrainingProgress>, Task<T>> body)
    {
        if (!mode.Live) return await body(this);
        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                _task = context.AddTask("training", maxValue: totalSteps);
                result = await body(this);
                _task.StopTask();
            });
        return result;
    }

    public void Report(TrainingProgress p)
    {
        var m = p.Metrics;
        var evaluation = p.LastEvaluation is { } e ? $" | val desired {e.DesiredAccuracy:P1} harmful-probe {e.HarmfulProbeAccuracy:P1}" : "";
        var line = $"step {p.Step}/{p.TotalSteps} | outer {m.OuterLoss:F3} desired-CE {m.DesiredCrossEntropy:F3} attacker-CE {m.AttackerCrossEntropy:F3} remap-CE {m.HeadAdjustedCrossEntropy:F3}{evaluation}";
        if (_task is not null)
        {
            _task.Value = p.Step;
            _task.Description = Markup.Escape(line);
            return;
        }
        var every = Math.Max(1, p.TotalSteps / 50);
        if (p.Step == p.TotalSteps || p.Step - _lastLogged >= every || p.Metrics.Evaluation is not null)
        {
            _lastLogged = p.Step;
            var eta = p.Remaining is { } r ? $" | {ClockText.Format(p.Elapsed)} elapsed, ETA {ClockText.Format(r)}" : "";
            mode.Info(line + eta);
        }
    }
}
