namespace DeepRL.Agents.Training;

/// <summary>A snapshot of a run's progress, for progress bars and logs; <see cref="Detail"/> is the algorithm's own (see <see cref="IReportsStatistics"/>).</summary>
public sealed record TrainingStatus(
    long Step,
    long TotalSteps,
    long Episodes,
    double Fps,
    double? RecentMeanReturn,
    double? LastEvalMean,
    double? BestEvalMean,
    double ElapsedSeconds,
    string? Detail = null);

/// <summary>Receives progress updates (a few per second) and notable events; the CLI draws them.</summary>
public interface ITrainingObserver
{
    void Progress(TrainingStatus status);

    void Message(string text);

    /// <summary>Called after each deterministic evaluation.</summary>
    void Evaluated(EvalRecord evaluation)
    {
    }

    /// <summary>Called after every environment (or vector) step, on the training loop's thread: keep it cheap.</summary>
    void Stepped(TrainingRun run)
    {
    }

    /// <summary>Called after each finished training episode (e.g. to capture a video every K episodes).</summary>
    void EpisodeFinished(TrainingRun run)
    {
    }
}
