using DeepRL.Agents.Torch;
using DeepRL.Environments;
using DeepRL.Environments.Vector;
using Microsoft.Extensions.Logging;

namespace DeepRL.Agents.Training;

/// <summary>
/// What an agent's training loop talks to, the same for every algorithm. The agent calls <see cref="Advance"/> after
/// each (vector) step and <see cref="EpisodeFinished"/> after each episode, and stops when <see cref="ShouldStop"/>;
/// the run's <see cref="Clock"/> then runs its hooks in order — a GC safe point, warnings, evaluation and best-model
/// selection (<see cref="ModelSelection"/>), checkpoints (<see cref="Checkpointer"/>), progress. <see cref="Train"/>
/// reads top to bottom: learn, evaluate, checkpoint, report, summary.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly RunDirectory? _dir;
    private readonly ILogger _log;
    private readonly EpisodeTracker _episodes;
    private readonly ModelSelection _selection;
    private readonly Checkpointer _checkpointer;
    private readonly SkippedUpdates _skipped;
    private readonly RunGcSchedule _gc = new();
    private long _lastProgressTicks;
    private volatile bool _stopRequested;
    private MetricsLog? _metrics;

    private TrainingRun(RunOptions options, RunDirectory? dir, IAgent agent, long totalSteps, EnvRegistry registry,
        ILogger log, ITrainingObserver? observer, RunState? resumed)
    {
        Options = options;
        _dir = dir;
        Agent = agent;
        TotalSteps = totalSteps;
        Registry = registry;
        Observer = observer;
        _log = log;
        EnvOptions = new EnvOptions(options.EnvOptions);
        _episodes = new EpisodeTracker(resumed);
        _selection = new ModelSelection(options, agent, registry, EnvOptions, log, observer, resumed);
        _checkpointer = new Checkpointer(dir, agent, log);
        _skipped = new SkippedUpdates(options.OnNan);
        Schedule = resumed?.Schedule?.ContinuedTo(resumed.Step, totalSteps) ?? ScheduleSpan.Fresh(totalSteps);
        if (resumed?.Schedule is { } before && totalSteps > before.ToStep && before.Progress(resumed.Step) >= 1.0)
            log.LogWarning("The schedules of this run ended at step {End}; training on to {Total} continues them at their final values " +
                           "(a learning rate annealed to 0 stays 0: set anneal_lr=false, or start a new run)", before.ToStep, totalSteps);

        // What happens at every step, in this order (SB3 users know these as callbacks' on_step).
        Clock = new StepClock(resumed?.Step ?? 0, resumed?.ElapsedSeconds ?? 0);
        Clock.OnEveryStep(_gc.SafePoint);
        Clock.OnEveryStep(step => _skipped.Report(step, _log, Metrics));
        Clock.OnEveryStep(step => _gc.ReportOutside(step, _log, Metrics));
        Clock.OnEveryStep(_ => Observer?.Stepped(this));
        Clock.Every(options.EvalEvery, _ => Evaluate());
        Clock.Every(options.CheckpointEvery, _ => SaveCheckpoint(RunStore.LatestCheckpoint, Options.SaveReplay));
        Clock.OnEveryStep(_ => ReportProgress(force: false));
    }

    public RunOptions Options { get; }

    /// <summary>The run folder (runs/…); an in-memory run (<see cref="CreateInMemory"/>) has none.</summary>
    public RunDirectory Directory => _dir ?? throw new InvalidOperationException("An in-memory run has no folder.");

    /// <summary>True for runs that write no files (library use without a run folder).</summary>
    public bool IsInMemory => _dir is null;

    public IAgent Agent { get; }

    public EnvRegistry Registry { get; }

    public EnvOptions EnvOptions { get; }

    public ITrainingObserver? Observer { get; }

    /// <summary>Env steps and wall time; add a hook to run code at every step (or every N steps).</summary>
    public StepClock Clock { get; }

    public long TotalSteps { get; }

    /// <summary>
    /// Where ε, learning-rate and other schedules stand: they span this run's length (a Learn call's steps), and a resume
    /// to another total continues them from the resume step without a jump (see <see cref="ScheduleSpan"/>).
    /// </summary>
    public ScheduleSpan Schedule { get; }

    /// <summary>Fraction of the schedules elapsed at <paramref name="step"/> (0 at the start, 1 at the end).</summary>
    public double ScheduleProgress(long step) => Schedule.Progress(step);

    public double? RewardThreshold => _selection.RewardThreshold;

    /// <summary>Env steps taken so far (all sessions).</summary>
    public long Step => Clock.Step;

    public long Episodes => _episodes.Count;

    /// <summary>True when this session continues an earlier one.</summary>
    public bool IsResumed => Clock.SessionStartStep > 0;

    public EvalRecord? BestEval => _selection.BestEval;

    public EvalRecord? LastEval => _selection.LastEval;

    public EvalRecord? SolvedAt => _selection.SolvedAt;

    public double ElapsedSeconds => Clock.ElapsedSeconds;

    public double Fps => Clock.Fps;

    /// <summary>Return and length of the episode that finished last.</summary>
    public (double Return, int Length) LastEpisode => _episodes.Last;

    public double? RecentMeanReturn => _episodes.RecentMeanReturn;

    /// <summary>The agent's loop ends when this turns true: steps exhausted, Ctrl-C, or solved with stop-when-solved.</summary>
    public bool ShouldStop => _stopRequested || _selection.StopBecauseSolved || Step >= TotalSteps;

    public bool Interrupted => _stopRequested;

    public MetricsLog Metrics => _metrics ?? throw new InvalidOperationException("The run has not started.");

    /// <summary>Env steps between scheduled garbage collections (see <see cref="GcGate"/>); A3C raises it.</summary>
    public long SafePointInterval
    {
        get => _gc.Interval;
        set => _gc.Interval = value;
    }

    /// <summary>Garbage collections that happened outside safe points during this session (0 unless the budget was overrun).</summary>
    public long GcCollectionsOutsideSafePoints => _gc.OutsideSafePoints;

    /// <summary>Asks the training loop to stop at the next step (thread-safe; used by Ctrl-C).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Creates a new run folder with config.json, ready to train.</summary>
    public static TrainingRun Create(RunOptions options, IAgent agent, long totalSteps, string outputRoot, EnvRegistry registry,
        ILogger log, ITrainingObserver? observer = null, string? runName = null) =>
        new(options, RunStore.Create(outputRoot, options, runName), agent, totalSteps, registry, log, observer, null);

    /// <summary>
    /// A run that writes no files: metrics stay in memory, no checkpoints or summary.json are written, and the
    /// final report evaluates the final weights only (there is no saved "best" to compare with).
    /// </summary>
    public static TrainingRun CreateInMemory(RunOptions options, IAgent agent, long totalSteps, EnvRegistry registry, ILogger log,
        ITrainingObserver? observer = null) => new(options, null, agent, totalSteps, registry, log, observer, null);

    /// <summary>Reopens a run from its latest checkpoint: agent state, counters, and metrics up to that step.</summary>
    public static TrainingRun Resume(RunDirectory dir, RunOptions options, IAgent agent, long totalSteps, EnvRegistry registry,
        ILogger log, ITrainingObserver? observer = null) =>
        new(options, dir, agent, totalSteps, registry, log, observer, Checkpointer.Restore(dir, agent, log));

    /// <summary>Trains the agent to the end (or until stopped), then evaluates, checkpoints and writes summary.json.</summary>
    public RunSummary Train()
    {
        // The training thread holds the process's GC gate for the whole run (see GcGate).
        using (GcGate.Enter())
        using (_metrics = new MetricsLog(_dir))
        {
            _gc.Start();
            _log.LogInformation("Run {Run}: {Algo} on {Env}, seed {Seed}, {Steps} steps", _dir?.Name ?? "(in memory)", Options.Algo, Options.EnvId, Options.Seed, TotalSteps);
            try
            {
                Agent.Learn(this);
            }
            catch (NonFiniteValueException ex)
            {
                // Nothing is saved past this point: the last checkpoint (from before the fault) stays the resumable one.
                _metrics.Flush();
                string kept = _dir is null ? "" : $"; the last good checkpoint is kept in {_dir.Checkpoint(RunStore.LatestCheckpoint)}";
                throw new NonFiniteValueException($"{ex.Message} (run step {Step}{kept})");
            }
            if (!_stopRequested && (LastEval is null || LastEval.Step != Step)) Evaluate();
            SaveCheckpoint(RunStore.LatestCheckpoint, Options.SaveReplay);
            ReportProgress(force: true);
            var report = _stopRequested ? null : _selection.Report(Step, ElapsedSeconds, _dir);
            _gc.Finish(Step, _log, _metrics);
            var summary = Summary(report);
            if (_dir is not null) RunStore.WriteSummary(_dir, summary);
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
        _episodes.Add(episodeReturn, length);
        Metrics.Episode(Step, Episodes, episodeReturn, length, Fps, ElapsedSeconds);
        Observer?.EpisodeFinished(this);
    }

    /// <summary>
    /// Moves the clock to <paramref name="step"/>, which runs the run's hooks: evaluations and checkpoints that fall due,
    /// progress reports. Call after every environment step (or vector step).
    /// </summary>
    public void Advance(long step) => Clock.Advance(step);

    /// <summary>
    /// Called by an algorithm whose update has a non-finite loss or gradient (<paramref name="detail"/> says which):
    /// true = skip that update (<c>on_nan: skip</c>; counted and reported as a warning by the coordinating thread),
    /// false = stop the run. Safe to call from worker threads.
    /// </summary>
    public bool SkipNonFiniteUpdate(string detail) => _skipped.TrySkip(detail);

    /// <summary>A warning in the run's log (shown on the console by the CLI).</summary>
    public void Warn(string message) => _log.LogWarning("{Message}", message);

    private void Evaluate() =>
        _selection.Evaluate(Step, ElapsedSeconds, Metrics, () => SaveCheckpoint(RunStore.BestCheckpoint, includeReplay: false));

    private void SaveCheckpoint(string name, bool includeReplay)
    {
        _metrics?.Flush(); // the metrics a checkpoint's step covers are on disk before it
        _checkpointer.Save(name, includeReplay, new RunState
        {
            Step = Step,
            Episodes = Episodes,
            ElapsedSeconds = ElapsedSeconds,
            BestEval = BestEval,
            LastEval = LastEval,
            SolvedAt = SolvedAt,
            RecentReturns = _episodes.RecentReturns,
            Schedule = Schedule,
        });
    }

    private void ReportProgress(bool force)
    {
        if (Observer is null) return;
        long now = Environment.TickCount64;
        if (!force && now - _lastProgressTicks < 250) return;
        _lastProgressTicks = now;
        Observer.Progress(new TrainingStatus(Step, TotalSteps, Episodes, Fps, RecentMeanReturn, LastEval?.MeanReturn, BestEval?.MeanReturn, ElapsedSeconds,
            (Agent as IReportsStatistics)?.ProgressDetail));
    }

    private RunSummary Summary(FinalReport? report) => new()
    {
        Env = Options.EnvId,
        Algo = Options.Algo,
        Seed = Options.Seed,
        Status = _stopRequested ? "interrupted" : _selection.StopBecauseSolved ? "solved" : "completed",
        Steps = Step,
        Episodes = Episodes,
        WallTimeSeconds = ElapsedSeconds,
        TrainFps = Fps,
        RewardThreshold = RewardThreshold,
        FinalEval = report?.Latest ?? (_stopRequested ? null : LastEval),
        BestEval = BestEval,
        BestFinalEval = report?.Best,
        Recommended = report?.Recommended,
        SolvedAt = SolvedAt,
        Resume = _stopRequested && _dir is not null ? _dir.Path : null,
        InitFrom = Options.InitFrom,
        SkippedUpdates = _skipped.Count,
        GcCollectionsOutsideSafePoints = GcCollectionsOutsideSafePoints,
        AlgorithmStatistics = (Agent as IReportsStatistics)?.SummaryStatistics.ToDictionary(kv => kv.Key, kv => kv.Value),
    };

    public void Dispose() => _metrics?.Dispose();
}
