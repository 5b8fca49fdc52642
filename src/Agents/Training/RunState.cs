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

    /// <summary>Where the run's schedules stand (absent in checkpoints older than 0.5: the run's length then spans them).</summary>
    public ScheduleSpan? Schedule { get; init; }

    /// <summary>Rejects values no run can have, naming the file and the field (a resume would otherwise act on them).</summary>
    public RunState Validated(string path)
    {
        string? problem =
            Step < 0 ? $"step is {Step}" :
            Episodes < 0 ? $"episodes is {Episodes}" :
            !double.IsFinite(ElapsedSeconds) || ElapsedSeconds < 0 ? $"elapsed_seconds is {ElapsedSeconds}" :
            RecentReturns is null ? "recent_returns is null" :
            RecentReturns.Any(r => !double.IsFinite(r)) ? "recent_returns holds a non-finite value" :
            null;
        if (problem is not null) throw new InvalidDataException($"Checkpoint file '{path}' is invalid: {problem}.");
        Schedule?.Validated(path);
        return this;
    }
}
