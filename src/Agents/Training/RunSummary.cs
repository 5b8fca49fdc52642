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

    /// <summary>The final (latest) weights on fresh seeds never used during training, with a 95% CI.</summary>
    public EvalRecord? FinalEval { get; init; }

    /// <summary>The best checkpoint as selected during training (its score is the independent confirmation run).</summary>
    public EvalRecord? BestEval { get; init; }

    /// <summary>The best checkpoint re-evaluated on the same fresh seeds as <see cref="FinalEval"/>.</summary>
    public EvalRecord? BestFinalEval { get; init; }

    /// <summary>best or latest: the checkpoint with the higher mean on the fresh final seeds (what eval/watch load by default).</summary>
    public string? Recommended { get; init; }

    /// <summary>First evaluation whose mean reached the reward threshold.</summary>
    public EvalRecord? SolvedAt { get; init; }

    /// <summary>
    /// The run folder to continue an interrupted run from (<c>Agent.Resume(folder)</c>, <c>deeprl train --resume folder</c>);
    /// null when the run finished or trained in memory. A folder, not a command: front ends say how to resume.
    /// </summary>
    public string? Resume { get; init; }

    /// <summary>Where the initial weights came from (transfer learning), as in config.json; null for a random start.</summary>
    public InitFrom? InitFrom { get; init; }

    /// <summary>Updates skipped because their loss or gradients were NaN/∞ (with on_nan: skip).</summary>
    public long SkippedUpdates { get; init; }

    /// <summary>
    /// Garbage collections that happened outside the GC gate's safe points during this session (see GcGate): 0 in a
    /// healthy run; more means something allocated past the no-GC budget between two safe points.
    /// </summary>
    public long GcCollectionsOutsideSafePoints { get; init; }

    /// <summary>The algorithm's own numbers for this session (IMPALA: policy lag, actor and learner throughput, queue), or null.</summary>
    public Dictionary<string, double>? AlgorithmStatistics { get; init; }
}

/// <summary>
/// One evaluation: when, how well, the 95% confidence interval of the mean, the first env seed used,
/// and (for final reports) which checkpoint was evaluated.
/// </summary>
public sealed record EvalRecord(long Step, double MeanReturn, double StdReturn, int Episodes, double WallTimeSeconds,
    double? Ci95Low = null, double? Ci95High = null, int? Seed = null, string? Checkpoint = null)
{
    public static EvalRecord From(DeepRL.Environments.Evaluation.EpisodeStats stats, long step, double wallTimeSeconds, int seed, string? checkpoint = null)
    {
        var (low, high) = stats.MeanReturnCi95;
        return new EvalRecord(step, stats.MeanReturn, stats.StdReturn, stats.Count, wallTimeSeconds,
            double.IsFinite(low) ? low : null, double.IsFinite(high) ? high : null, seed, checkpoint);
    }

    /// <summary>"412.3 ± 20.1 (95% CI 405.0–419.6, 100 episodes)".</summary>
    public string Describe() =>
        $"{Numbers.Short(MeanReturn)} ± {Numbers.Short(StdReturn)}" +
        (Ci95Low is double lo && Ci95High is double hi ? $" (95% CI {Numbers.Short(lo)} to {Numbers.Short(hi)}, {Episodes} episodes)" : $" ({Episodes} episodes)");
}
