using DeepRL.Agents.Export;
using System.Collections.Concurrent;
using DeepRL.Agents.A2c;
using DeepRL.Agents.OnPolicy;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.A3c;

/// <summary>
/// A3C (Mnih et al. 2016, Algorithm S3). N worker threads, each with its own envs and a local copy of the
/// actor-critic, repeat: collect t_max steps, compute n-step returns (V(final obs) on truncation, 0 on
/// termination), backpropagate the actor-critic loss through the local copy, apply those gradients to the
/// shared global network with the shared optimizer (RMSProp statistics shared by all workers), and copy the
/// global weights back. The calling thread coordinates: it is the only one that touches the run (episode
/// records, the step clock, evaluations and checkpoints from a snapshot of the global weights, and the
/// garbage-collection safe points that all workers pass through).
/// </summary>
public sealed class A3cAgent : IAgent, IExportablePolicy
{
    private readonly Device _device;
    private readonly ActorCritic _global;
    private readonly Parameter[] _globalParameters;
    private readonly ActorCritic _snapshot;
    private readonly IOptimizer _optimizer;
    private readonly object _applyLock = new();
    private readonly LoopState _loop = new("a3c");
    private long _globalStep;
    private long _sessionStartStep;
    private volatile bool _stop;
    private Exception? _failure;
    private ActorCriticMetrics? _lastMetrics;

    public A3cAgent(A3cConfig config, Box observationSpace, Space actionSpace, Device device, int seed)
    {
        config.Validate();
        Config = config;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        _device = device;
        // One intra-op thread: the workers are the parallelism (more would oversubscribe the cores).
        torch.set_num_threads(1);
        torch.manual_seed(seed);
        _global = ActorCriticParts.Network(config, observationSpace, actionSpace);
        _global.to(device);
        _globalParameters = _global.parameters().ToArray();
        _snapshot = ActorCriticParts.Network(config, observationSpace, actionSpace);
        _snapshot.to(device);
        _optimizer = ActorCriticParts.Optimizer(config, _globalParameters);
    }

    public string Algo => "a3c";

    public A3cConfig Config { get; }

    public Box ObservationSpace { get; }

    public TorchSharp.torch.nn.Module PolicyNetwork => _global;

    public Space ActionSpace { get; }

    public double LearningRate => _optimizer.LearningRate;

    /// <summary>Called by every worker after each applied update (tests use it to inject failures).</summary>
    public Action<int, long>? AfterUpdate { get; set; }

    /// <summary>Test seam: (worker, update applied, local parameters, global parameters) right after a worker synced, under the apply lock.</summary>
    internal Action<int, bool, Parameter[], Parameter[]>? AfterSync { get; set; }

    public void Learn(TrainingRun run)
    {
        int workers = Config.ResolvedWorkers;
        _globalStep = _sessionStartStep = run.Step;
        _stop = false;
        _failure = null;
        if (workers == 1)
        {
            LearnOnCallingThread(run);
            return;
        }
        if (run.IsResumed)
            run.Warn($"A3C with {workers} workers applies their updates in a nondeterministic order, so this resume cannot be exact: " +
                     "episodes in progress restart (with workers=1 a resume continues exactly).");
        run.SafePointInterval = 4096;
        var episodes = new ConcurrentQueue<(double Return, int Length)>();
        var threads = Enumerable.Range(0, workers)
            .Select(w => new Thread(() => Worker(w, run, episodes)) { IsBackground = true, Name = $"a3c-worker-{w}" })
            .ToArray();
        foreach (var t in threads) t.Start();

        // The coordinator: the only thread that touches the run.
        try
        {
            long nextLog = 0;
            while (threads.Any(t => t.IsAlive))
            {
                long step = Interlocked.Read(ref _globalStep);
                while (episodes.TryDequeue(out var e)) run.EpisodeFinished(e.Return, e.Length);
                run.Advance(step);
                if (step >= nextLog && _lastMetrics is { } m)
                {
                    nextLog = step + 1000;
                    m.Log(run.Metrics, _optimizer.LearningRate, step);
                }
                if (run.ShouldStop || _failure is not null) _stop = true;
                // The coordinator's bookkeeping is light; polling less often leaves the cores to the workers. It does not
                // hold the GC gate while it sleeps, so a worker that needs a collection never waits for it.
                using (GcGate.Wait()) Thread.Sleep(5);
            }
        }
        finally
        {
            // Also when the coordinator itself fails (a checkpoint that cannot be written): no worker outlives Learn.
            _stop = true;
            using (GcGate.Wait())
            {
                foreach (var t in threads) t.Join();
            }
        }
        while (episodes.TryDequeue(out var e)) run.EpisodeFinished(e.Return, e.Length);
        run.Advance(Interlocked.Read(ref _globalStep));
        if (_failure is A3cWorkerException { InnerException: NonFiniteValueException nonFinite } failed)
            throw new NonFiniteValueException($"A3C worker {failed.Worker}: {nonFinite.Message}");
        if (_failure is not null) throw _failure;
    }

    /// <summary>
    /// With one worker there is nothing to coordinate: it runs on the calling thread and drives the run itself, as A2C
    /// does, so every checkpoint falls between two of its steps and holds its segment, envs and generator — a resume
    /// then continues exactly.
    /// </summary>
    private void LearnOnCallingThread(TrainingRun run)
    {
        long nextLog = 0;
        WorkerLoop(0, run, () => run.ShouldStop, run.EpisodeFinished, step =>
        {
            run.Advance(step);
            if (step >= nextLog && _lastMetrics is { } m)
            {
                nextLog = step + 1000;
                m.Log(run.Metrics, _optimizer.LearningRate, step);
            }
        }, _loop);
    }

    private void Worker(int w, TrainingRun run, ConcurrentQueue<(double, int)> episodes)
    {
        try
        {
            // Each worker thread registers with the process's GC gate; its safe points are the ends of its segments.
            using var gate = GcGate.Enter();
            WorkerLoop(w, run, () => _stop, (ret, len) => episodes.Enqueue((ret, len)), _ => { }, loop: null);
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, new A3cWorkerException(w, Interlocked.Read(ref _globalStep), ex), null);
            _stop = true;
        }
    }

    /// <summary>
    /// One actor-learner: segments of t_max steps on its own envs and local network, each followed by an update of the
    /// global network. <paramref name="loop"/> is set when it runs on the calling thread (its state then goes into checkpoints).
    /// </summary>
    private void WorkerLoop(int w, TrainingRun run, Func<bool> stop, Action<double, int> episodeFinished, Action<long> stepped, LoopState? loop)
    {
        var c = Config;
        using var local = ActorCriticParts.Network(c, ObservationSpace, ActionSpace);
        local.to(_device);
        var localParameters = local.parameters().ToArray();
        // A frozen (transferred) feature extractor stays frozen in every worker: no gradient is computed or applied for it.
        for (int i = 0; i < localParameters.Length; i++) localParameters[i].requires_grad_(_globalParameters[i].requires_grad);
        lock (_applyLock) CopyGlobalInto(localParameters);
        using var envs = VectorEnvs.Make(run.Options.EnvId, c.EnvsPerWorker, VectorMode.Sync, options: run.EnvOptions, registry: run.Registry);
        // Seeded from the step the session started at, not run.Step: a worker that starts late must not see the clock moved.
        int envSeed = TrainingRun.SessionSeed(run.Options.Seed, _sessionStartStep) + w * c.EnvsPerWorker;
        envs.Reset(envSeed);
        using var collector = new RolloutCollector(local, envs, c.TMax, _device, new Rng(unchecked((ulong)envSeed * 0x9E3779B97F4A7C15UL + 1)));
        if (loop?.Resume(run, envs) is { } saved) collector.LoadState(saved);
        loop?.Attach(envs, () => Interlocked.Read(ref _globalStep), collector.SaveState);
        long total = run.TotalSteps;
        try
        {
            while (!stop())
            {
                if (!Segment()) break;
                // Between segments no tensor call of this worker is in flight: a collection may happen here (the calling
                // thread's worker reaches safe points through run.Advance as well).
                GcGate.SafePoint();
            }
        }
        catch
        {
            loop?.Abandon(); // a failed step leaves no state worth saving
            throw;
        }
        loop?.Detach(); // before the envs are disposed: the checkpoint saved after the loop stores its final state

        bool Segment()
        {
            bool complete = collector.Collect(
                () => stop() || Interlocked.Read(ref _globalStep) >= total,
                episodeFinished,
                () => stepped(Interlocked.Add(ref _globalStep, c.EnvsPerWorker)));
            if (!complete) return false;
            collector.ComputeNStepReturns((float)c.Gamma);

            using var scope = NewDisposeScope();
            var loss = ActorCriticLoss.OnRollout(local, collector, c, _device);
            foreach (var p in localParameters) p.grad?.zero_();
            loss.Total.backward();
            bool applied = GradientClipping.CheckAndClip(localParameters, c.MaxGradNorm, run);
            var gradients = localParameters.Select(p => p.grad).ToArray();
            if (applied && c.Hogwild)
            {
                Apply(gradients, localParameters, run);
            }
            else
            {
                lock (_applyLock)
                {
                    // A skipped update (on_nan: skip) applies nothing but still picks up the other workers' progress.
                    if (applied) Apply(gradients, localParameters, run);
                    else CopyGlobalInto(localParameters);
                    AfterSync?.Invoke(w, applied, localParameters, _globalParameters);
                }
            }
            collector.RolloutUsed();
            if (w == 0) _lastMetrics = ActorCriticMetrics.From(loss);
            AfterUpdate?.Invoke(w, Interlocked.Read(ref _globalStep));
            return true;
        }
    }

    /// <summary>Local gradients → shared optimizer step on the global parameters → global weights back into the local copy.</summary>
    private void Apply(Tensor?[] gradients, Parameter[] localParameters, TrainingRun run)
    {
        _optimizer.LearningRate = ActorCriticParts.LearningRate(Config, run.ScheduleProgress(Interlocked.Read(ref _globalStep)));
        _optimizer.Step(gradients);
        CopyGlobalInto(localParameters);
    }

    private void CopyGlobalInto(Parameter[] target)
    {
        using var _ = no_grad();
        for (int i = 0; i < target.Length; i++) target[i].copy_(_globalParameters[i]);
    }

    /// <summary>A consistent copy of the global weights (taken under the apply lock) for evaluation.</summary>
    public IBatchPolicy GreedyPolicy()
    {
        lock (_applyLock) CopyGlobalInto(_snapshot.parameters().ToArray());
        return new GreedyActorPolicy(_snapshot, ObservationSpace.Shape, _device);
    }

    public IBatchPolicy StochasticPolicy(int seed)
    {
        lock (_applyLock) CopyGlobalInto(_snapshot.parameters().ToArray());
        return new GreedyActorPolicy(_snapshot, ObservationSpace.Shape, _device, new Rng((ulong)seed));
    }

    /// <summary>Serializes the global network and optimizer under the apply lock into memory, then writes outside it.</summary>
    public void Save(string directory, bool includeReplay)
    {
        byte[] model, optimizer;
        lock (_applyLock)
        {
            using var modelStream = new MemoryStream();
            using (var writer = new BinaryWriter(modelStream, System.Text.Encoding.UTF8, leaveOpen: true)) _global.save(writer);
            model = modelStream.ToArray();
            using var optimizerStream = new MemoryStream();
            _optimizer.Save(optimizerStream);
            optimizer = optimizerStream.ToArray();
        }
        File.WriteAllBytes(Path.Combine(directory, "model.pt"), model);
        File.WriteAllBytes(Path.Combine(directory, "optimizer.pt"), optimizer);
        _loop.Save(directory); // one worker only: with several, a consistent loop state does not exist
    }

    public void Load(string directory, bool includeReplay, bool includeTrainingState = true)
    {
        lock (_applyLock)
        {
            CheckpointFiles.LoadModule(_global, Path.Combine(directory, "model.pt"));
            if (!includeTrainingState) return;
            string optimizer = Path.Combine(directory, "optimizer.pt");
            if (File.Exists(optimizer)) CheckpointFiles.Guard(optimizer, () => _optimizer.Load(optimizer));
        }
        _loop.Load(directory);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _snapshot.Dispose();
        _global.Dispose();
    }
}
