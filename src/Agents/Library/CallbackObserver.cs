using DeepRL.Agents.Training;
using Microsoft.Extensions.Logging;

namespace DeepRL;

/// <summary>Turns <see cref="LearnOptions"/> callbacks into a training observer; a callback returning false stops the run.</summary>
internal sealed class CallbackObserver(LearnOptions options, ILogger log) : ITrainingObserver
{
    public TrainingRun? Run { get; set; }

    public void Progress(TrainingStatus status)
    {
    }

    public void Message(string text) => log.LogInformation("{Message}", text);

    public void Stepped(TrainingRun run)
    {
        if (options.OnStep is { } onStep && !onStep(run.Step)) run.RequestStop();
    }

    public void EpisodeFinished(TrainingRun run)
    {
        if (options.OnEpisode is { } onEpisode && !onEpisode(run.LastEpisode.Return, run.LastEpisode.Length, run.Step)) run.RequestStop();
    }

    public void Evaluated(EvalRecord evaluation)
    {
        if (options.OnEvaluation is { } onEvaluation && !onEvaluation(evaluation)) Run?.RequestStop();
    }
}
