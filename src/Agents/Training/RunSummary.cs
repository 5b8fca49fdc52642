namespace DeepRL.Agents.Training;

/// <summary>What a run achieved, written to summary.json at the end (and on interrupt).</summary>
public sealed record RunSummary
{
    public required string Env { get; init; }

    public required string Algo { get; init; }

    public int Seed { get; init; }

    /// <summary>completed, solved (stopped early at the threshold) or interrupted.</summary>
    public required string Status { get; init; }

    public long Steps { get; init; }

    public long Episodes { get; init; }

    public double WallTimeSeconds { get; init; }

    public double TrainFps { get; init; }

    public double? RewardThreshold { get; init; }

    public EvalRecord? FinalEval { get; init; }

    public EvalRecord? BestEval { get; init; }

    /// <summary>First evaluation whose mean reached the reward threshold.</summary>
    public EvalRecord? SolvedAt { get; init; }

    public string? Resume { get; init; }
}

/// <summary>One evaluation: when and how well.</summary>
public sealed record EvalRecord(long Step, double MeanReturn, double StdReturn, int Episodes, double WallTimeSeconds);
