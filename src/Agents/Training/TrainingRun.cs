using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepRL.Agents.Config;
using DeepRL.Agents.Torch;
using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using DeepRL.Environments.Vector;
using Microsoft.Extensions.Logging;

namespace DeepRL.Agents.Training;

/// <summary>
/// Everything around an agent's training loop that is the same for every algorithm: the run folder,
/// config.json, the step clock, episode bookkeeping, periodic deterministic evaluation, latest/best
/// checkpoints, metrics (CSV + TensorBoard), progress reports, stop requests (Ctrl-C), resume, and
/// summary.json. The agent calls <see cref="EpisodeFinished"/> and <see cref="Advance"/>; the run does the rest.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    public const string LatestCheckpoint = "latest";
    public const string BestCheckpoint = "best";
    private const string RunStateFile = "run.json";

    private readonly Stopwatch _session = Stopwatch.StartNew();
    private readonly ILogger _log;
    private readonly Queue<double> _recentReturns = new();
    private readonly double _priorSeconds;
    private readonly long _sessionStartStep;
    private long _nextEval;
    private long _nextCheckpoint;
    private long _lastProgressTicks;
    private volatile bool _stopRequested;
    private bool _solvedStop;
    private MetricsLog? _metrics;
    private GcSafePoints? _gc;
    private long _lastSafePoint;

    /// <summary>Env steps between garbage-collection safe points (see <see cref="GcSafePoints"/>).</summary>
    private const long SafePointInterval = 512;

    private TrainingRun(RunOptions options, RunDirectory dir, IAgent agent, long totalSteps, EnvRegistry registry,
        ILogger log, ITrainingObserver? observer, RunState? resumed)
    {
        Options = options;
        Directory = dir;
        Agent = agent;
        TotalSteps = totalSteps;
        Registry = registry;
        Observer = observer;
        _log = log;
        EnvOptions = new EnvOptions(options.EnvOptions);
        RewardThreshold = registry.GetSpec(options.EnvId).RewardThreshold;
        if (resumed is not null)
        {
            Step = resumed.Step;
            Episodes = resumed.Episodes;
            _priorSeconds = resumed.ElapsedSeconds;
            BestEval = resumed.BestEval;
            LastEval = resumed.LastEval;
            SolvedAt = resumed.SolvedAt;
            foreach (var r in resumed.RecentReturns) _recentReturns.Enqueue(r);
        }
        _sessionStartStep = Step;
        _nextEval = NextMultiple(Step, options.EvalEvery);
        _nextCheckpoint = NextMultiple(Step, options.CheckpointEvery);
    }

    public RunOptions Options { get; }

    public RunDirectory Directory { get; }

    public IAgent Agent { get; }

    public EnvRegistry Registry { get; }

    public EnvOptions EnvOptions { get; }

    public ITrainingObserver? Observer { get; }

    public long TotalSteps { get; }

    public double? RewardThreshold { get; }

    /// <summary>Env steps taken so far (all sessions).</summary>
    public long Step { get; private set; }

    public long Episodes { get; private set; }

    /// <summary>True when this session continues an earlier one.</summary>
    public bool IsResumed => _sessionStartStep > 0;

    public EvalRecord? BestEval { get; private set; }

    public EvalRecord? LastEval { get; private set; }

    public EvalRecord? SolvedAt { get; private set; }

    public double ElapsedSeconds => _priorSeconds + _session.Elapsed.TotalSeconds;

    public double Fps => (Step - _sessionStartStep) / Math.Max(1e-9, _session.Elapsed.TotalSeconds);

    /// <summary>The agent's loop ends when this turns true: steps exhausted, Ctrl-C, or solved with stop-when-solved.</summary>
    public bool ShouldStop => _stopRequested || _solvedStop || Step >= TotalSteps;

    public bool Interrupted => _stopRequested;

    public MetricsLog Metrics => _metrics ?? throw new InvalidOperationException("The run has not started.");

    /// <summary>Asks the training loop to stop at the next step (thread-safe; used by Ctrl-C).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Creates a new run folder with config.json, ready to train.</summary>
    public static TrainingRun Create(RunOptions options, IAgent agent, long totalSteps, string outputRoot, EnvRegistry registry,
        ILogger log, ITrainingObserver? observer = null)
    {
        var dir = RunDirectory.Create(outputRoot, options.EnvId, options.Algo, options.Seed);
        AtomicFile.WriteAllText(dir.ConfigFile, JsonSerializer.Serialize(options, HyperparameterResolver.Json));
        return new TrainingRun(options, dir, agent, totalSteps, registry, log, observer, null);
    }

    /// <summary>Reads a run's config.json (for resume and eval).</summary>
    public static RunOptions ReadOptions(RunDirectory dir)
    {
        try
        {
            return JsonSerializer.Deserialize<RunOptions>(File.ReadAllText(dir.ConfigFile), HyperparameterResolver.Json)
                   ?? throw new InvalidDataException($"'{dir.ConfigFile}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{dir.ConfigFile}' is not a valid DeepRL run config: {ex.Message}");
        }
    }

    /// <summary>Reopens a run from its latest checkpoint: agent state, counters, and metrics up to that step.</summary>
    public static TrainingRun Resume(RunDirectory dir, RunOptions options, IAgent agent, long totalSteps, EnvRegistry registry,
        ILogger log, ITrainingObserver? observer = null)
    {
        string checkpoint = AtomicFile.ResolveDirectory(dir.Checkpoint(LatestCheckpoint))
            ?? throw new FileNotFoundException($"Run '{dir.Path}' has no checkpoints/latest to resume from.");
        var state = ReadState(Path.Combine(checkpoint, RunStateFile));
        bool hasReplay = File.Exists(Path.Combine(checkpoint, "replay.msgpack"));
        agent.Load(checkpoint, includeReplay: hasReplay);
        MetricsLog.TruncateAfter(dir, state.Step);
        log.LogInformation("Resuming {Run} at step {Step} ({Replay})", dir.Name, state.Step,
            hasReplay ? "with its replay buffer" : "replay buffer not saved: it refills from scratch");
        return new TrainingRun(options, dir, agent, totalSteps, registry, log, observer, state);
    }

    private static RunState ReadState(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint file '{path}' is missing.", path);
        return CheckpointFiles.ReadJson<RunState>(path);
    }

    /// <summary>Trains the agent to the end (or until stopped), then evaluates, checkpoints and writes summary.json.</summary>
    public RunSummary Train()
    {
        using (_gc = new GcSafePoints())
        using (_metrics = new MetricsLog(Directory))
        {
            _log.LogInformation("Run {Run}: {Algo} on {Env}, seed {Seed}, {Steps} steps", Directory.Name, Options.Algo, Options.EnvId, Options.Seed, TotalSteps);
            Agent.Learn(this);
            if (!_stopRequested && (LastEval is null || LastEval.Step != Step)) Evaluate();
            SaveCheckpoint(LatestCheckpoint, Options.SaveReplay);
            ReportProgress(force: true);
            var summary = WriteSummary();
            _metrics.Flush();
            return summary;
        }
    }

    /// <summary>Builds <paramref name="count"/> training envs, seeded from the run seed (offset on resume so episodes differ).</summary>
    public IVectorEnvironment MakeVectorEnvs(int count)
    {
        var venv = VectorEnvs.Make(Options.EnvId, count, VectorMode.Sync, options: EnvOptions, registry: Registry);
        venv.Reset(SessionSeed(Options.Seed, Step));
        return venv;
    }

    /// <summary>Env seed for a session starting at <paramref name="step"/>: the run seed, shifted on resume so episodes differ.</summary>
    public static int SessionSeed(int seed, long step) => unchecked(seed + (int)(step % 100_003) * 7919);

    /// <summary>Records a finished training episode.</summary>
    public void EpisodeFinished(double episodeReturn, int length)
    {
        Episodes++;
        _recentReturns.Enqueue(episodeReturn);
        if (_recentReturns.Count > 100) _recentReturns.Dequeue();
        Metrics.Episode(Step, Episodes, episodeReturn, length, Fps, ElapsedSeconds);
        Observer?.EpisodeFinished(this);
    }

    /// <summary>
    /// Moves the clock to <paramref name="step"/>; runs evaluations and checkpoints that fall due and
    /// reports progress. Call after every environment step (or vector step).
    /// </summary>
    public void Advance(long step)
    {
        if (step - _lastSafePoint >= SafePointInterval)
        {
            _lastSafePoint = step;
            _gc?.SafePoint();
        }
        Step = step;
        if (Options.EvalEvery > 0 && Step >= _nextEval)
        {
            _nextEval = NextMultiple(Step, Options.EvalEvery);
            Evaluate();
        }
        if (Options.CheckpointEvery > 0 && Step >= _nextCheckpoint)
        {
            _nextCheckpoint = NextMultiple(Step, Options.CheckpointEvery);
            SaveCheckpoint(LatestCheckpoint, Options.SaveReplay);
        }
        ReportProgress(force: false);
    }

    public double? RecentMeanReturn => _recentReturns.Count == 0 ? null : _recentReturns.Average();

    private void Evaluate()
    {
        var stats = Evaluator.Evaluate(Agent.GreedyPolicy(), Registry, Options.EnvId, EnvOptions, Options.EvalEpisodes, Options.Seed + 1_000_000);
        var record = new EvalRecord(Step, stats.MeanReturn, stats.StdReturn, stats.Count, ElapsedSeconds);
        LastEval = record;
        Metrics.Evaluation(Step, stats.MeanReturn, stats.StdReturn, stats.MeanLength, stats.Count, ElapsedSeconds);
        _log.LogInformation("step {Step}: eval {Mean:F2} ± {Std:F2} over {N} episodes", Step, stats.MeanReturn, stats.StdReturn, stats.Count);
        Observer?.Evaluated(record);
        if (BestEval is null || stats.MeanReturn > BestEval.MeanReturn)
        {
            BestEval = record;
            SaveCheckpoint(BestCheckpoint, includeReplay: false);
        }
        if (SolvedAt is null && RewardThreshold is double threshold && stats.MeanReturn >= threshold)
        {
            SolvedAt = record;
            Observer?.Message($"Solved at step {Step}: eval mean {stats.MeanReturn:F1} ≥ {threshold} after {ElapsedSeconds:F1} s");
            if (Options.StopWhenSolved) _solvedStop = true;
        }
    }

    private void SaveCheckpoint(string name, bool includeReplay)
    {
        var state = new RunState
        {
            Step = Step,
            Episodes = Episodes,
            ElapsedSeconds = ElapsedSeconds,
            BestEval = BestEval,
            LastEval = LastEval,
            SolvedAt = SolvedAt,
            RecentReturns = _recentReturns.ToArray(),
        };
        _metrics?.Flush();
        AtomicFile.ReplaceDirectory(Directory.Checkpoint(name), tmp =>
        {
            Agent.Save(tmp, includeReplay);
            File.WriteAllText(Path.Combine(tmp, RunStateFile), JsonSerializer.Serialize(state, HyperparameterResolver.Json));
        });
        _log.LogDebug("Saved checkpoint {Name} at step {Step}", name, Step);
    }

    private void ReportProgress(bool force)
    {
        if (Observer is null) return;
        long now = Environment.TickCount64;
        if (!force && now - _lastProgressTicks < 250) return;
        _lastProgressTicks = now;
        Observer.Progress(new TrainingStatus(Step, TotalSteps, Episodes, Fps, RecentMeanReturn, LastEval?.MeanReturn, BestEval?.MeanReturn, ElapsedSeconds));
    }

    private RunSummary WriteSummary()
    {
        string status = _stopRequested ? "interrupted" : _solvedStop ? "solved" : "completed";
        var summary = new RunSummary
        {
            Env = Options.EnvId,
            Algo = Options.Algo,
            Seed = Options.Seed,
            Status = status,
            Steps = Step,
            Episodes = Episodes,
            WallTimeSeconds = ElapsedSeconds,
            TrainFps = Fps,
            RewardThreshold = RewardThreshold,
            FinalEval = _stopRequested ? null : LastEval,
            BestEval = BestEval,
            SolvedAt = SolvedAt,
            Resume = _stopRequested ? $"deeprl train --resume {Directory.Path}" : null,
        };
        AtomicFile.WriteAllText(Directory.SummaryFile, JsonSerializer.Serialize(summary, HyperparameterResolver.Json));
        return summary;
    }

    private static long NextMultiple(long step, long every) => every <= 0 ? long.MaxValue : (step / every + 1) * every;

    public void Dispose() => _metrics?.Dispose();
}
