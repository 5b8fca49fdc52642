namespace DeepRL.Agents.Training;

/// <summary>The run's own counters, saved in every checkpoint as run.json.</summary>
public sealed record RunState
{
    public long Step { get; init; }

    public long Episodes { get; init; }

    /// <summary>Training wall time of all sessions so far.</summary>
    public double ElapsedSeconds { get; init; }

    public EvalRecord? BestEval { get; init; }

    public EvalRecord? LastEval { get; init; }

    public EvalRecord? SolvedAt { get; init; }

    public double[] RecentReturns { get; init; } = [];
}
