using DeepRL.Agents.Training;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DeepRL.Cli;

/// <summary>
/// Shows training progress: one live line (<see cref="ProgressLine"/>, fitted to the terminal width) in a
/// terminal, or a log line every few seconds when output is redirected or --no-progress is given.
/// </summary>
public sealed class ConsoleTrainingObserver(IAnsiConsole console, ILogger log, bool interactive, TrainingVideoRecorder? videos = null) : ITrainingObserver
{
    private ProgressTask? _task;
    private ProgressContext? _progress;
    private long _lastLogTicks = Environment.TickCount64;

    public T Run<T>(Func<T> train)
    {
        if (!interactive) return train();
        T result = default!;
        // Refreshed from the training thread (AutoRefresh off): a refresh thread would allocate concurrently
        // with TorchSharp calls (see SynchronousConsoleLoggerProvider). One column only: the line is composed
        // to fit the width, so Spectre never has to squeeze columns.
        console.Progress()
            .AutoRefresh(false)
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left })
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
        if (_task is not null)
        {
            _task.MaxValue = Math.Max(1, s.TotalSteps);
            _task.Value = Math.Min(s.Step, s.TotalSteps);
            _task.Description = Markup.Escape(ProgressLine.Format(s, console.Profile.Width));
            _progress?.Refresh();
            return;
        }
        long now = Environment.TickCount64;
        if (now - _lastLogTicks < 5000 && s.Step < s.TotalSteps) return;
        _lastLogTicks = now;
        log.LogInformation("{Progress}", ProgressLine.Format(s, 160));
    }

    public void Message(string text)
    {
        if (_task is not null) console.MarkupLine(Markup.Escape(text));
        else log.LogInformation("{Message}", text);
    }

    public void EpisodeFinished(TrainingRun run) => videos?.OnEpisode(run);

    public void Evaluated(EvalRecord e)
    {
        // Without a live bar the run's log line already reports it.
        if (_task is not null) console.MarkupLine(Markup.Escape(EvalText(e)));
    }

    public static string EvalText(EvalRecord e) =>
        $"step {e.Step:N0}: eval {Numbers.Short(e.MeanReturn)} ± {Numbers.Short(e.StdReturn)} over {e.Episodes} episodes";
}
