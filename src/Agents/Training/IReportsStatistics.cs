namespace DeepRL.Agents.Training;

/// <summary>
/// An agent with numbers of its own beyond the run's (IMPALA: actor and learner throughput, policy lag, the queue):
/// a short text for the progress line and named values for summary.json.
/// </summary>
public interface IReportsStatistics
{
    /// <summary>A few words for the progress line (e.g. "actors 5.1k/s · learner 4.9k/s · lag 1.2"), or null.</summary>
    string? ProgressDetail { get; }

    /// <summary>Named values for summary.json's <c>algorithm_statistics</c> (this session).</summary>
    IReadOnlyDictionary<string, double> SummaryStatistics { get; }
}
