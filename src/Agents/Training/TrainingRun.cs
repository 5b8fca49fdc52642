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
    private long _lastSafePoint;
    private long _outsideAtStart, _outsideReported;

    /// <summary>
    /// Env steps between scheduled garbage collections (see <see cref="GcGate"/>): 512 keeps memory flat for the
    /// single-threaded agents. A3C raises it: each collection makes every worker wait for the others to reach a safe
    /// point, so fewer, larger collections cost less throughput there. The gate also collects early when the process
    /// has used half of its no-GC budget, whatever this interval says.
    /// </summary>
    public long SafePointInterval { get; set; } = 512;

    /// <summary>Garbage collections that happened outside safe points during this session (0 unless the budget was overrun).</summary>
    public long GcCollectionsOutsideSafePoints => GcGate.CollectionsOutsideSafePoints - _outsideAtStart;

    private readonly RunDirectory? _dir;

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
        Schedule = resumed?.Schedule?.ContinuedTo(resumed.Step, totalSteps) ?? ScheduleSpan.Fresh(totalSteps);
        if (resumed?.Schedule is { } before && totalSteps > before.ToStep && before.Progress(resumed.Step) >= 1.0)
            log.LogWarning("The schedules of this run ended at step {End}; training on to {Total} continues them at their final values " +
                           "(a learning rate annealed to 0 stays 0: set anneal_lr=false, or start a new run)", before.ToStep, totalSteps);
        _sessionStartStep = Step;
        _nextEval = NextMultiple(Step, options.EvalEvery);
        _nextCheckpoint = NextMultiple(Step, options.CheckpointEvery);
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

    public long TotalSteps { get; }

    /// <summary>
    /// Where ε, learning-rate and other schedules stand: they span this run's length (a Learn call's steps), and a resume
    /// to another total continues them from the resume step without a jump (see <see cref="ScheduleSpan"/>).
    /// </summary>
    public ScheduleSpan Schedule { get; }

    /// <summary>Fraction of the schedules elapsed at <paramref name="step"/> (0 at the start, 1 at the end).</summary>
    public double ScheduleProgress(long step) => Schedule.Progress(step);

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
        ILogger log, ITrainingObserver? observer = null, string? runName = null)
    {
        var dir = RunDirectory.Create(outputRoot, options.EnvId, options.Algo, options.Seed, runName);
        ProbeWritable(dir);
        AtomicFile.WriteAllText(dir.ConfigFile, JsonSerializer.Serialize(options, HyperparameterResolver.Json));
        return new TrainingRun(options, dir, agent, totalSteps, registry, log, observer, null);
    }

    /// <summary>
    /// A run that writes no files: metrics stay in memory, no checkpoints or summary.json are written, and the
    /// final report evaluates the final weights only (there is no saved "best" to compare with).
    /// </summary>
    public static TrainingRun CreateInMemory(RunOptions options, IAgent agent, long totalSteps, EnvRegistry registry, ILogger log,
        ITrainingObserver? observer = null) => new(options, null, agent, totalSteps, registry, log, observer, null);

    /// <summary>Reads a run's config.json (for resume and eval).</summary>
    public static RunOptions ReadOptions(RunDirectory dir)
    {
        try
        {
            return (JsonSerializer.Deserialize<RunOptions>(File.ReadAllText(dir.ConfigFile), HyperparameterResolver.Json)
                    ?? throw new InvalidDataException($"'{dir.ConfigFile}' is empty.")).Validated(dir.ConfigFile);
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
        ProbeWritable(dir);
        // Puts the complete copy back in place after a crash (from .old or an interrupted save) and removes leftovers.
        AtomicFile.Recover(dir.Checkpoint(BestCheckpoint));
        string checkpoint = AtomicFile.Recover(dir.Checkpoint(LatestCheckpoint)) ?? MissingOrCorrupt(dir, LatestCheckpoint);
        var state = ReadState(Path.Combine(checkpoint, RunStateFile));
        bool hasReplay = File.Exists(Path.Combine(checkpoint, "replay.msgpack"));
        agent.Load(checkpoint, includeReplay: hasReplay);
        MetricsLog.TruncateAfter(dir, state.Step);
        TensorBoardEvents.TruncateAfter(dir.TensorBoardDir, state.Step);
        if (!agent.UsesReplay) log.LogInformation("Resuming {Run} at step {Step}", dir.Name, state.Step);
        else if (hasReplay) log.LogInformation("Resuming {Run} at step {Step} with its replay buffer", dir.Name, state.Step);
        else log.LogWarning("Resuming {Run} at step {Step}; its replay buffer was not saved (--save-replay), so it refills from scratch and this resume is not exact", dir.Name, state.Step);
        return new TrainingRun(options, dir, agent, totalSteps, registry, log, observer, state);
    }

    /// <summary>
    /// The complete copy of a run's checkpoint (see <see cref="AtomicFile.ResolveDirectory"/>); when there is none,
    /// an error that names the damaged file, or says the checkpoint does not exist.
    /// </summary>
    public static string CheckpointFolder(RunDirectory dir, string name) =>
        AtomicFile.ResolveDirectory(dir.Checkpoint(name)) ?? MissingOrCorrupt(dir, name);

    private static string MissingOrCorrupt(RunDirectory dir, string name)
    {
        string folder = dir.Checkpoint(name);
        if (System.IO.Directory.Exists(folder)) CheckpointManifest.Verify(folder); // throws, naming the damaged file
        throw new FileNotFoundException($"Run '{dir.Path}' has no complete checkpoints/{name} (has it trained yet?).");
    }

    /// <summary>The run's summary.json when the run finished (completed or solved), else null.</summary>
    public static RunSummary? FinishedSummary(RunDirectory dir)
    {
        if (!File.Exists(dir.SummaryFile)) return null;
        var summary = CheckpointFiles.ReadJson<RunSummary>(dir.SummaryFile);
        return summary.Status is "completed" or "solved" ? summary : null;
    }

    /// <summary>The env step at which the checkpoint in <paramref name="checkpointFolder"/> was saved.</summary>
    public static long CheckpointStep(string checkpointFolder) => ReadState(Path.Combine(checkpointFolder, RunStateFile)).Step;

    /// <summary>Writes and deletes a probe file, so an unwritable run folder is reported before any training.</summary>
    private static void ProbeWritable(RunDirectory dir)
    {
        string probe = Path.Combine(dir.Path, $".write-probe-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, new byte[4096]);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RunStorageException($"Cannot write to run folder '{dir.Path}': {RunStorageException.Cause(ex, dir.Path)}.", ex);
        }
    }

    private static RunState ReadState(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint file '{path}' is missing.", path);
        return CheckpointFiles.ReadJson<RunState>(path).Validated(path);
    }

    /// <summary>Trains the agent to the end (or until stopped), then evaluates, checkpoints and writes summary.json.</summary>
    public RunSummary Train()
    {
        // The training thread holds the process's GC gate for the whole run (see GcGate).
        using (GcGate.Enter())
        using (_metrics = new MetricsLog(_dir))
        {
            _outsideAtStart = _outsideReported = GcGate.CollectionsOutsideSafePoints;
            _log.LogInformation("Run {Run}: {Algo} on {Env}, seed {Seed}, {Steps} steps", _dir?.Name ?? "(in memory)", Options.Algo, Options.EnvId, Options.Seed, TotalSteps);
            try
            {
                Agent.Learn(this);
            }
            catch (NonFiniteValueException ex)
            {
                // Nothing is saved past this point: the last checkpoint (from before the fault) stays the resumable one.
                _metrics.Flush();
                string kept = _dir is null ? "" : $"; the last good checkpoint is kept in {_dir.Checkpoint(LatestCheckpoint)}";
                throw new NonFiniteValueException($"{ex.Message} (run step {Step}{kept})");
            }
            if (!_stopRequested && (LastEval is null || LastEval.Step != Step)) Evaluate();
            SaveCheckpoint(LatestCheckpoint, Options.SaveReplay);
            ReportProgress(force: true);
            var report = _stopRequested ? null : FinalReport();
            GcGate.Audit();
            ReportOutsideCollections();
            var summary = WriteSummary(report);
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
        LastEpisode = (episodeReturn, length);
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
        bool collect = step - _lastSafePoint >= SafePointInterval;
        if (collect) _lastSafePoint = step;
        GcGate.SafePoint(collect);
        Step = step;
        ReportSkippedUpdates();
        ReportOutsideCollections();
        Observer?.Stepped(this);
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

    private long _skippedUpdates, _reportedSkips;
    private string _lastSkip = "";

    /// <summary>
    /// Called by an algorithm whose update has a non-finite loss or gradient (<paramref name="detail"/> says which):
    /// true = skip that update (<c>on_nan: skip</c>; counted and reported as a warning by the coordinating thread),
    /// false = stop the run. Safe to call from worker threads.
    /// </summary>
    public bool SkipNonFiniteUpdate(string detail)
    {
        if (Options.OnNan != "skip") return false;
        Volatile.Write(ref _lastSkip, detail);
        Interlocked.Increment(ref _skippedUpdates);
        return true;
    }

    private void ReportSkippedUpdates()
    {
        long skipped = Interlocked.Read(ref _skippedUpdates);
        if (skipped == _reportedSkips) return;
        _log.LogWarning("Skipped {New} update(s) at step {Step} ({Total} so far) because {Detail}", skipped - _reportedSkips, Step, skipped, Volatile.Read(ref _lastSkip));
        _reportedSkips = skipped;
        Metrics.Scalar("skipped_updates", skipped, Step);
    }

    /// <summary>
    /// A collection outside a safe point may free a TorchSharp temporary while a native call uses it (see <see cref="GcGate"/>):
    /// rare enough to go on, serious enough to say, with the likely cause.
    /// </summary>
    private void ReportOutsideCollections()
    {
        long outside = GcGate.CollectionsOutsideSafePoints;
        if (outside == _outsideReported) return;
        _log.LogWarning("{New} garbage collection(s) happened outside a safe point at step {Step} ({Total} in this run): the process " +
                        "allocated {MiB:F0} MiB between two safe points, over the {Budget} MiB no-GC budget (or no no-GC region " +
                        "could be opened). The likely cause is an environment, wrapper or callback that allocates a lot per step " +
                        "(images, strings, arrays); reuse buffers there. Such a collection can crash TorchSharp calls.",
            outside - _outsideReported, Step, outside - _outsideAtStart, GcGate.LastOverrunBytes / 1048576.0, GcGate.Budget >> 20);
        _outsideReported = outside;
        Metrics.Scalar("gc/collections_outside_safe_points", outside - _outsideAtStart, Step);
    }

    /// <summary>A warning in the run's log (shown on the console by the CLI).</summary>
    public void Warn(string message) => _log.LogWarning("{Message}", message);

    /// <summary>Return and length of the episode that finished last.</summary>
    public (double Return, int Length) LastEpisode { get; private set; }

    public double? RecentMeanReturn => _recentReturns.Count == 0 ? null : _recentReturns.Average();

    // What an evaluation is for: each purpose draws its own env seeds, so no two evaluations share episodes.
    private const int PeriodicEval = 1, ConfirmationEval = 2, FinalEval = 3;

    /// <summary>Env seeds for one evaluation: fresh for every (run seed, step, purpose), never the training seeds.</summary>
    private int EvalSeed(int purpose)
    {
        ulong z = unchecked((ulong)Options.Seed * 0x9E3779B97F4A7C15UL + (ulong)Step * 0xBF58476D1CE4E5B9UL + (ulong)purpose * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z ^= z >> 31;
        return (int)(z & 0x3FFF_FFFF);
    }

    private EpisodeStats EvaluateNow(int episodes, int seed) =>
        Evaluator.Evaluate(Agent.GreedyPolicy(), Registry, Options.EnvId, EnvOptions, episodes, seed);

    /// <summary>
    /// Periodic evaluation on fresh seeds. A result that beats the best (or reaches the reward threshold) is
    /// only a candidate: it was picked for being high, so its mean is biased upward by noise (the winner's
    /// curse that makes a fixed-seed "best" worse than latest). A second evaluation on independent seeds
    /// decides; its unbiased mean is what "best" and "solved" record and what later candidates must beat.
    /// </summary>
    private void Evaluate()
    {
        int seed = EvalSeed(PeriodicEval);
        var stats = EvaluateNow(Options.EvalEpisodes, seed);
        var record = EvalRecord.From(stats, Step, ElapsedSeconds, seed);
        LastEval = record;
        Metrics.Evaluation(Step, stats.MeanReturn, stats.StdReturn, stats.MeanLength, stats.Count, ElapsedSeconds);
        _log.LogInformation("step {Step}: eval {Eval}", Step, record.Describe());
        Observer?.Evaluated(record);

        bool beatsBest = BestEval is null || stats.MeanReturn > BestEval.MeanReturn;
        bool reachesThreshold = SolvedAt is null && RewardThreshold is double t && stats.MeanReturn >= t;
        if (!beatsBest && !reachesThreshold) return;

        int confirmSeed = EvalSeed(ConfirmationEval);
        var confirmStats = EvaluateNow(Options.EvalEpisodes, confirmSeed);
        var confirmed = EvalRecord.From(confirmStats, Step, ElapsedSeconds, confirmSeed);
        Metrics.Scalar("eval/confirmation_mean_return", confirmStats.MeanReturn, Step);
        if (BestEval is null || confirmStats.MeanReturn > BestEval.MeanReturn)
        {
            _log.LogInformation("step {Step}: new best, confirmed on independent seeds: {Eval}", Step, confirmed.Describe());
            BestEval = confirmed;
            SaveCheckpoint(BestCheckpoint, includeReplay: false);
        }
        else
        {
            _log.LogInformation("step {Step}: candidate not confirmed ({Confirm} on independent seeds ≤ best {Best})",
                Step, Numbers.Short(confirmStats.MeanReturn), Numbers.Short(BestEval.MeanReturn));
        }
        if (SolvedAt is null && RewardThreshold is double threshold && confirmStats.MeanReturn >= threshold)
        {
            SolvedAt = confirmed;
            Observer?.Message($"Solved at step {Step}: eval mean {Numbers.Against(confirmStats.MeanReturn, threshold)} ≥ {threshold} " +
                              $"(confirmed on independent seeds) after {ElapsedSeconds:F1} s");
            if (Options.StopWhenSolved) _solvedStop = true;
        }
    }

    /// <summary>
    /// The final report: latest and best weights on the same fresh seeds (never used in training or selection),
    /// so the two are compared fairly and the recommended checkpoint comes with an honest confidence interval.
    /// </summary>
    private (EvalRecord Latest, EvalRecord? Best, string Recommended)? FinalReport()
    {
        if (Options.FinalEvalEpisodes <= 0) return null;
        int seed = EvalSeed(FinalEval);
        var latest = EvalRecord.From(EvaluateNow(Options.FinalEvalEpisodes, seed), Step, ElapsedSeconds, seed, LatestCheckpoint);
        if (_dir is null) return (latest, null, LatestCheckpoint);
        string? bestFolder = AtomicFile.ResolveDirectory(Directory.Checkpoint(BestCheckpoint));
        if (BestEval is null || BestEval.Step == Step || bestFolder is null) return (latest, null, LatestCheckpoint);
        string latestFolder = AtomicFile.ResolveDirectory(Directory.Checkpoint(LatestCheckpoint))!;
        Agent.Load(bestFolder, includeReplay: false, includeTrainingState: false);
        var best = EvalRecord.From(EvaluateNow(Options.FinalEvalEpisodes, seed), BestEval.Step, ElapsedSeconds, seed, BestCheckpoint);
        Agent.Load(latestFolder, includeReplay: false, includeTrainingState: false); // the agent ends with its final weights
        return (latest, best, best.MeanReturn > latest.MeanReturn ? BestCheckpoint : LatestCheckpoint);
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
            Schedule = Schedule,
        };
        _metrics?.Flush();
        if (_dir is null) return; // in memory: the agent itself holds the weights
        try
        {
            AtomicFile.ReplaceDirectory(Directory.Checkpoint(name), tmp =>
            {
                Agent.Save(tmp, includeReplay);
                File.WriteAllText(Path.Combine(tmp, RunStateFile), JsonSerializer.Serialize(state, HyperparameterResolver.Json));
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string resumable = AtomicFile.ResolveDirectory(Directory.Checkpoint(LatestCheckpoint)) is null
                ? "There is no earlier checkpoint."
                : $"The previous checkpoint is intact: fix the cause, then resume the run in {Directory.Path}.";
            throw new RunStorageException($"Could not save checkpoint '{name}' in {Directory.CheckpointsDir}: {RunStorageException.Cause(ex, Directory.Path)}. {resumable}", ex);
        }
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

    private RunSummary WriteSummary((EvalRecord Latest, EvalRecord? Best, string Recommended)? report)
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
            FinalEval = report?.Latest ?? (_stopRequested ? null : LastEval),
            BestEval = BestEval,
            BestFinalEval = report?.Best,
            Recommended = report?.Recommended,
            SolvedAt = SolvedAt,
            Resume = _stopRequested && _dir is not null ? _dir.Path : null,
            SkippedUpdates = Interlocked.Read(ref _skippedUpdates),
            GcCollectionsOutsideSafePoints = GcCollectionsOutsideSafePoints,
        };
        if (_dir is not null) AtomicFile.WriteAllText(_dir.SummaryFile, JsonSerializer.Serialize(summary, HyperparameterResolver.Json));
        return summary;
    }

    private static long NextMultiple(long step, long every) => every <= 0 ? long.MaxValue : (step / every + 1) * every;

    public void Dispose() => _metrics?.Dispose();
}
