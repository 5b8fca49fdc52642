using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeepRL.Agents.A2c;
using DeepRL.Agents.Distributed;
using DeepRL.Agents.Export;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Agents.Impala;

/// <summary>
/// IMPALA (Espeholt et al. 2018). Actors — threads here, or processes on cluster nodes (<see cref="ExtraActors"/>) —
/// send unrolls into a bounded queue; the learner, on the calling thread, takes batch_size of them at a time, trains
/// with V-trace (<see cref="ImpalaLearner"/>) and publishes its weights, which actors pick up before their next unroll.
/// The calling thread is the only one that touches the run: it counts the env steps it trained on, records the
/// unrolls' finished episodes, evaluates and checkpoints between updates.
/// <para>
/// A resume continues from the saved weights, optimizer and version, but not exactly: which unroll reaches the learner
/// when depends on thread timing, the actors' envs restart, and unrolls in the queue at the stop are dropped.
/// </para>
/// </summary>
public sealed class ImpalaAgent : IAgent, IExportablePolicy, IReportsStatistics
{
    private const string StateFile = "impala.json";
    private readonly Device _device;
    private readonly ImpalaLearner _learner;
    private readonly int _seed;
    private readonly PolicyLag _sessionLag = new(), _windowLag = new();
    private readonly Stopwatch _session = new();
    private long _trainedSteps, _sessionStartSteps;
    private double _rssFirst, _rssLast, _rssMax; // MB at the metrics intervals: a flat line means the queue bounds memory
    private IActorHost<Unroll>[] _hosts = [];
    private ExperienceQueue<Unroll>? _queue;

    public ImpalaAgent(ImpalaConfig config, Box observationSpace, Space actionSpace, Device device, int seed)
    {
        config.Validate();
        if (actionSpace is not (Discrete or Box))
            throw new ArgumentException($"IMPALA supports Discrete and Box action spaces, not {actionSpace}.");
        Config = config;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        _device = device;
        _seed = seed;
        // Actor threads are the parallelism; a multi-threaded learner would compete with them for the same cores.
        torch.set_num_threads(config.TorchThreads);
        torch.manual_seed(seed);
        _learner = new ImpalaLearner(config, observationSpace, actionSpace, device);
    }

    public string Algo => "impala";

    public ImpalaConfig Config { get; }

    public Box ObservationSpace { get; }

    public Space ActionSpace { get; }

    public nn.Module PolicyNetwork => _learner.Network;

    public double LearningRate => _learner.Optimizer.LearningRate;

    /// <summary>Updates the learner has applied (all sessions).</summary>
    public long Version => _learner.Version;

    /// <summary>
    /// Actors elsewhere (the cluster's nodes), started beside the local ones; the run then needs both the local
    /// <c>actors</c> (0 allowed) and these. Set before <see cref="Learn"/>.
    /// </summary>
    public IActorHost<Unroll>? ExtraActors { get; set; }

    /// <summary>Null when an unroll (from another process) fits this run, else what is wrong with it.</summary>
    public string? Check(Unroll unroll) => _learner.Check(unroll);

    /// <summary>The most unrolls the queue held at once in the last session (never above its capacity).</summary>
    public long QueueHighWater => _queue?.HighWater ?? 0;

    /// <summary>Test seam: runs on the learner's thread before every update (e.g. to make a slow learner).</summary>
    internal Action<long>? BeforeUpdate { get; set; }

    public void Learn(TrainingRun run)
    {
        var c = Config;
        _sessionLag.Clear();
        _windowLag.Clear();
        _rssFirst = _rssLast = _rssMax = 0;
        _trainedSteps = _sessionStartSteps = run.Step;
        if (run.IsResumed)
            run.Warn("IMPALA resumes from the saved weights, optimizer and policy version, but not exactly: actors restart their envs, " +
                     "unrolls that were queued at the stop are dropped, and which unroll reaches the learner when depends on thread timing.");
        if (c.Actors == 0 && ExtraActors is null)
            throw new ArgumentException("actors=0 leaves IMPALA without actors: give --cluster HOST:PORT for actors on cluster nodes, or --actors N.");
        using (var probe = VectorEnvs.Make(run.Options.EnvId, 1, VectorMode.Sync, options: run.EnvOptions, registry: run.Registry))
            _learner.Masked = probe.ActionMasks is not null;

        using var queue = _queue = new ExperienceQueue<Unroll>(c.ResolvedQueueCapacity);
        var board = new WeightsBoard();
        board.Publish(_learner.Publish());
        int sessionSeed = TrainingRun.SessionSeed(run.Options.Seed, run.Step);
        var local = new ActorThreads<Unroll>(c.Actors, "impala", (actor, link, cancel, sent) => ImpalaActor.RunThread(actor, c, ObservationSpace, ActionSpace,
            n => VectorEnvs.Make(run.Options.EnvId, n, VectorMode.Sync, options: run.EnvOptions, registry: run.Registry), sessionSeed, link, cancel, sent));
        _hosts = ExtraActors is null ? [local] : [local, ExtraActors];
        _session.Restart();
        try
        {
            foreach (var host in _hosts) host.Start(queue, board); // inside: a host that fails to start stops the others
            Train(run, queue, board);
        }
        finally
        {
            queue.Complete(); // senders waiting for room return at once
            foreach (var host in _hosts)
            {
                int stuck = host.Stop(TimeSpan.FromSeconds(30));
                if (stuck > 0) run.Warn($"{stuck} IMPALA actor(s) did not stop within 30 s (an env step that never returns?); they are left running in the background.");
                host.Dispose();
            }
            _session.Stop();
        }
    }

    /// <summary>The learner's loop: take a batch, check it, record its episodes and lag, update, publish, advance the run.</summary>
    private void Train(TrainingRun run, ExperienceQueue<Unroll> queue, WeightsBoard board)
    {
        var c = Config;
        var batch = new List<Unroll>(c.BatchSize);
        long nextLog = 0, nextWaitingNote = Environment.TickCount64 + 10_000;
        while (!run.ShouldStop)
        {
            if (_hosts.Select(h => h.Failure).FirstOrDefault(f => f is not null) is { } failure) throw failure;
            if (_hosts.Sum(h => h.ActiveActors) == 0)
            {
                if (!_hosts.Any(h => h.MayGainActors)) throw new InvalidOperationException("IMPALA has no actors left to learn from.");
                if (Environment.TickCount64 > nextWaitingNote)
                {
                    run.Warn("No IMPALA actors are connected: waiting for cluster nodes (start `deeprl node --join …`, or stop with Ctrl-C).");
                    nextWaitingNote = Environment.TickCount64 + 30_000;
                }
            }
            bool full;
            using (Torch.GcGate.Wait()) full = queue.TryTakeBatch(batch, c.BatchSize, TimeSpan.FromMilliseconds(200));
            if (!full) continue; // what arrived stays in the batch; check the actors and the stop request, then wait again

            // Unrolls from other processes were checked where they arrived (ExtraActors drops one that does not fit).
            foreach (var unroll in batch)
            {
                long lag = _learner.Version - unroll.PolicyVersion;
                _sessionLag.Add(lag);
                _windowLag.Add(lag);
                for (int e = 0; e < unroll.EpisodeReturns.Length; e++) run.EpisodeFinished(unroll.EpisodeReturns[e], unroll.EpisodeLengths[e]);
            }
            BeforeUpdate?.Invoke(_learner.Version);
            double learningRate = ActorCriticParts.LearningRate(c, run.ScheduleProgress(_trainedSteps));
            var metrics = _learner.Train(batch, learningRate, run);
            if (metrics is not null) board.Publish(_learner.Publish());
            _trainedSteps += batch.Sum(u => (long)u.EnvSteps);
            batch.Clear();

            if (_trainedSteps >= nextLog)
            {
                nextLog = _trainedSteps + 5000;
                Log(run.Metrics, metrics);
            }
            run.Advance(_trainedSteps);
        }
    }

    private void Log(MetricsLog log, ActorCriticMetrics? metrics)
    {
        long step = _trainedSteps;
        metrics?.Log(log, _learner.Optimizer.LearningRate, step);
        if (_windowLag.Stats() is { } lag)
        {
            log.Scalar("policy_lag_mean", lag.Mean, step);
            log.Scalar("policy_lag_p95", lag.P95, step);
            log.Scalar("policy_lag_max", lag.Max, step);
            _windowLag.Clear();
        }
        log.Scalar("actor_steps_per_second", ActorRate, step);
        log.Scalar("learner_steps_per_second", LearnerRate, step);
        log.Scalar("queue_unrolls", _queue?.Count ?? 0, step);
        log.Scalar("actors", _hosts.Sum(h => h.ActiveActors), step);
        double rss = Environment.WorkingSet / 1048576.0;
        if (_rssFirst == 0) _rssFirst = rss;
        (_rssLast, _rssMax) = (rss, Math.Max(_rssMax, rss));
        log.Scalar("rss_mb", rss, step);
    }

    private double Seconds => Math.Max(1e-9, _session.Elapsed.TotalSeconds);

    private double ActorRate => _hosts.Sum(h => h.StepsSent) / Seconds;

    private double LearnerRate => (_trainedSteps - _sessionStartSteps) / Seconds;

    public string? ProgressDetail => _hosts.Length > 0 // after the first session started (the final report comes after Learn)
        ? $"actors {Numbers.Steps((long)ActorRate)}/s · learner {Numbers.Steps((long)LearnerRate)}/s · lag {(_sessionLag.Stats()?.Mean ?? 0).ToString("0.0", CultureInfo.InvariantCulture)}"
        : null;

    public IReadOnlyDictionary<string, double> SummaryStatistics
    {
        get
        {
            var stats = new Dictionary<string, double>
            {
                ["updates"] = _learner.Version,
                ["actor_steps"] = _hosts.Sum(h => h.StepsSent), // hosts are new each session
                ["trained_steps"] = _trainedSteps - _sessionStartSteps,
                ["actor_steps_per_second"] = ActorRate,
                ["learner_steps_per_second"] = LearnerRate,
                ["queue_capacity"] = Config.ResolvedQueueCapacity,
                ["queue_high_water"] = QueueHighWater,
                ["actor_wait_seconds"] = _queue?.ProducerWaitSeconds ?? 0,
                ["learner_wait_seconds"] = _queue?.ConsumerWaitSeconds ?? 0,
            };
            if (_rssFirst > 0) (stats["rss_mb_first"], stats["rss_mb_last"], stats["rss_mb_max"]) = (_rssFirst, _rssLast, _rssMax);
            if (_sessionLag.Stats() is { } lag)
            {
                stats["policy_lag_mean"] = lag.Mean;
                stats["policy_lag_p95"] = lag.P95;
                stats["policy_lag_max"] = lag.Max;
            }
            return stats;
        }
    }

    // Evaluation and checkpoints run on the learner's thread between updates: the learner's network is consistent there.
    public IBatchPolicy GreedyPolicy() => new GreedyActorPolicy(_learner.Network, ObservationSpace.Shape, _device);

    public IBatchPolicy StochasticPolicy(int seed) => new GreedyActorPolicy(_learner.Network, ObservationSpace.Shape, _device, new Rng((ulong)seed));

    public void Save(string directory, bool includeReplay)
    {
        _learner.Network.save(Path.Combine(directory, "model.pt"));
        _learner.Optimizer.Save(Path.Combine(directory, "optimizer.pt"));
        File.WriteAllText(Path.Combine(directory, StateFile), JsonSerializer.Serialize(new LearnerState(_learner.Version)));
    }

    public void Load(string directory, bool includeReplay, bool includeTrainingState = true)
    {
        CheckpointFiles.LoadModule(_learner.Network, Path.Combine(directory, "model.pt"));
        if (!includeTrainingState) return;
        string optimizer = Path.Combine(directory, "optimizer.pt");
        if (File.Exists(optimizer)) CheckpointFiles.Guard(optimizer, () => _learner.Optimizer.Load(optimizer));
        string state = Path.Combine(directory, StateFile);
        if (File.Exists(state))
            CheckpointFiles.Guard(state, () => _learner.Version = JsonSerializer.Deserialize<LearnerState>(File.ReadAllText(state))!.Version);
    }

    private sealed record LearnerState(long Version);

    public void Dispose() => _learner.Dispose();
}
