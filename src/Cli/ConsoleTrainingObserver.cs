using DeepRL.Agents.Training;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DeepRL.Cli;

/// <summary>
/// Shows training progress: a live Spectre.Console progress bar (steps, fps, recent mean return, eval)
/// in a terminal, or a log line every few seconds when output is redirected or --no-progress is given.
/// </summary>
public sealed class ConsoleTrainingObserver(CliContext ctx, ILogger log, bool interactive, TrainingVideoRecorder? videos = null) : ITrainingObserver
{
    private ProgressTask? _task;
    private ProgressContext? _progress;
    private long _lastLogTicks = Environment.TickCount64;

    public T Run<T>(Func<T> train)
    {
        if (!interactive) return train();
        T result = default!;
        // Refreshed from the training thread (AutoRefresh off): a refresh thread would allocate concurrently
        // with TorchSharp calls (see SynchronousConsoleLoggerProvider).
        ctx.Console.Progress()
            .AutoRefresh(false)
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(p =>
            {
                _progress = p;
                _task = p.AddTask("training", maxValue: 1);
                result = train();
            });
        return result;
    }

    public void Progress(TrainingStatus s)
    {
        string text = $"step {s.Step:N0}/{s.TotalSteps:N0} · {s.Fps:F0} fps · ep {s.Episodes} · " +
                      $"return {Fmt(s.RecentMeanReturn)} · eval {Fmt(s.LastEvalMean)} (best {Fmt(s.BestEvalMean)})";
        if (_task is not null)
        {
            _task.MaxValue = s.TotalSteps;
            _task.Value = Math.Min(s.Step, s.TotalSteps);
            _task.Description = Markup.Escape(text);
            _progress?.Refresh();
            return;
        }
        long now = Environment.TickCount64;
        if (now - _lastLogTicks < 5000 && s.Step < s.TotalSteps) return;
        _lastLogTicks = now;
        log.LogInformation("{Progress}", text);
    }

    public void Message(string text)
    {
        if (_task is not null) ctx.Console.MarkupLine(Markup.Escape(text));
        else log.LogInformation("{Message}", text);
    }

    public void EpisodeFinished(TrainingRun run) => videos?.OnEpisode(run);

    public void Evaluated(EvalRecord e)
    {
        // Without a live bar the run's log line already reports it.
        if (_task is not null) ctx.Console.MarkupLine(Markup.Escape($"step {e.Step:N0}: eval {e.MeanReturn:F2} ± {e.StdReturn:F2} over {e.Episodes} episodes"));
    }

    private static string Fmt(double? v) => v is double d ? d.ToString("F1") : "-";
}
