using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using Microsoft.Extensions.Logging;

namespace DeepRL.Agents.Training;

/// <summary>The final report: latest and best weights on the same fresh seeds, and which checkpoint to use.</summary>
public sealed record FinalReport(EvalRecord Latest, EvalRecord? Best, string Recommended);

/// <summary>
/// Deterministic evaluation during a run and the choice of its best weights: periodic evaluations on fresh seeds, a
/// confirmation on independent seeds before anything counts as "best" or "solved", and the final report that compares
/// latest and best fairly.
/// </summary>
internal sealed class ModelSelection
{
    // What an evaluation is for: each purpose draws its own env seeds, so no two evaluations share episodes.
    private const int PeriodicEval = 1, ConfirmationEval = 2, FinalEval = 3;

    private readonly RunOptions _options;
    private readonly IAgent _agent;
    private readonly EnvRegistry _registry;
    private readonly EnvOptions _envOptions;
    private readonly ILogger _log;
    private readonly ITrainingObserver? _observer;

    public ModelSelection(RunOptions options, IAgent agent, EnvRegistry registry, EnvOptions envOptions, ILogger log,
        ITrainingObserver? observer, RunState? resumed)
    {
        _options = options;
        _agent = agent;
        _registry = registry;
        _envOptions = envOptions;
        _log = log;
        _observer = observer;
        RewardThreshold = registry.GetSpec(options.EnvId).RewardThreshold;
        BestEval = resumed?.BestEval;
        LastEval = resumed?.LastEval;
        SolvedAt = resumed?.SolvedAt;
    }

    public double? RewardThreshold { get; }

    public EvalRecord? BestEval { get; private set; }

    public EvalRecord? LastEval { get; private set; }

    public EvalRecord? SolvedAt { get; private set; }

    /// <summary>Set when a confirmed evaluation reached the reward threshold and the run stops when solved.</summary>
    public bool StopBecauseSolved { get; private set; }

    /// <summary>
    /// Periodic evaluation on fresh seeds. A result that beats the best (or reaches the reward threshold) is only a
    /// candidate: it was picked for being high, so its mean is biased upward by noise (the winner's curse that makes a
    /// fixed-seed "best" worse than latest). A second evaluation on independent seeds decides; its unbiased mean is
    /// what "best" and "solved" record and what later candidates must beat. <paramref name="saveBest"/> saves the
    /// weights as the best checkpoint.
    /// </summary>
    public void Evaluate(long step, double elapsedSeconds, MetricsLog metrics, Action saveBest)
    {
        int seed = EvalSeed(step, PeriodicEval);
        var stats = EvaluateNow(_options.EvalEpisodes, seed);
        var record = EvalRecord.From(stats, step, elapsedSeconds, seed);
        LastEval = record;
        metrics.Evaluation(step, stats.MeanReturn, stats.StdReturn, stats.MeanLength, stats.Count, elapsedSeconds);
        _log.LogInformation("step {Step}: eval {Eval}", step, record.Describe());
        _observer?.Evaluated(record);

        bool beatsBest = BestEval is null || stats.MeanReturn > BestEval.MeanReturn;
        bool reachesThreshold = SolvedAt is null && RewardThreshold is double t && stats.MeanReturn >= t;
        if (!beatsBest && !reachesThreshold) return;

        int confirmSeed = EvalSeed(step, ConfirmationEval);
        var confirmStats = EvaluateNow(_options.EvalEpisodes, confirmSeed);
        var confirmed = EvalRecord.From(confirmStats, step, elapsedSeconds, confirmSeed);
        metrics.Scalar("eval/confirmation_mean_return", confirmStats.MeanReturn, step);
        if (BestEval is null || confirmStats.MeanReturn > BestEval.MeanReturn)
        {
            _log.LogInformation("step {Step}: new best, confirmed on independent seeds: {Eval}", step, confirmed.Describe());
            BestEval = confirmed;
            saveBest();
        }
        else
        {
            _log.LogInformation("step {Step}: candidate not confirmed ({Confirm} on independent seeds ≤ best {Best})",
                step, Numbers.Short(confirmStats.MeanReturn), Numbers.Short(BestEval.MeanReturn));
        }
        if (SolvedAt is null && RewardThreshold is double threshold && confirmStats.MeanReturn >= threshold)
        {
            SolvedAt = confirmed;
            _observer?.Message($"Solved at step {step}: eval mean {Numbers.Against(confirmStats.MeanReturn, threshold)} ≥ {threshold} " +
                               $"(confirmed on independent seeds) after {elapsedSeconds:F1} s");
            if (_options.StopWhenSolved) StopBecauseSolved = true;
        }
    }

    /// <summary>
    /// The final report: latest and best weights on the same fresh seeds (never used in training or selection), so the
    /// two are compared fairly and the recommended checkpoint comes with an honest confidence interval. The agent ends
    /// with its final weights.
    /// </summary>
    public FinalReport? Report(long step, double elapsedSeconds, RunDirectory? dir)
    {
        if (_options.FinalEvalEpisodes <= 0) return null;
        int seed = EvalSeed(step, FinalEval);
        var latest = EvalRecord.From(EvaluateNow(_options.FinalEvalEpisodes, seed), step, elapsedSeconds, seed, RunStore.LatestCheckpoint);
        if (dir is null) return new FinalReport(latest, null, RunStore.LatestCheckpoint);
        string? bestFolder = AtomicFile.ResolveDirectory(dir.Checkpoint(RunStore.BestCheckpoint));
        if (BestEval is null || BestEval.Step == step || bestFolder is null) return new FinalReport(latest, null, RunStore.LatestCheckpoint);
        string latestFolder = AtomicFile.ResolveDirectory(dir.Checkpoint(RunStore.LatestCheckpoint))!;
        _agent.Load(bestFolder, includeReplay: false, includeTrainingState: false);
        var best = EvalRecord.From(EvaluateNow(_options.FinalEvalEpisodes, seed), BestEval.Step, elapsedSeconds, seed, RunStore.BestCheckpoint);
        _agent.Load(latestFolder, includeReplay: false, includeTrainingState: false);
        return new FinalReport(latest, best, best.MeanReturn > latest.MeanReturn ? RunStore.BestCheckpoint : RunStore.LatestCheckpoint);
    }

    /// <summary>Env seeds for one evaluation: fresh for every (run seed, step, purpose), never the training seeds.</summary>
    private int EvalSeed(long step, int purpose)
    {
        ulong z = unchecked((ulong)_options.Seed * 0x9E3779B97F4A7C15UL + (ulong)step * 0xBF58476D1CE4E5B9UL + (ulong)purpose * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z ^= z >> 31;
        return (int)(z & 0x3FFF_FFFF);
    }

    private EpisodeStats EvaluateNow(int episodes, int seed) =>
        Evaluator.Evaluate(_agent.GreedyPolicy(), _registry, _options.EnvId, _envOptions, episodes, seed);
}
