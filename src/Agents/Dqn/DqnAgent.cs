using DeepRL.Agents.Export;
using System.Text.Json;
using DeepRL.Agents.Config;
using DeepRL.Agents.Networks;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Replay;
using DeepRL.Replay.Persistence;
using DeepRL.Replay.Prioritized;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Dqn;

/// <summary>
/// Deep Q-Network (Mnih et al. 2015) with the usual improvements as switches: Double DQN, dueling
/// heads, prioritized replay, n-step returns, Polyak or hard target updates. <see cref="Learn"/> is the
/// whole algorithm, top to bottom, in the order of the paper.
/// </summary>
public sealed class DqnAgent : IAgent, IExportablePolicy
{
    private readonly Device _device;
    private readonly QNetwork _online;
    private readonly QNetwork _target;
    private readonly AdamOptimizer _optimizer;
    private readonly Rng _rng;
    private readonly LoopState _loop = new("dqn");
    private readonly int _actions;
    private readonly int _obsSize;
    private ReplayBuffer? _buffer;
    private ReplayBatch? _batch;

    public DqnAgent(DqnConfig config, Box observationSpace, Space actionSpace, Device device, int seed)
    {
        config.Validate();
        if (actionSpace is not Discrete discrete)
            throw new ArgumentException($"DQN needs a Discrete action space; this env has {actionSpace}. Use PPO for continuous actions.");
        Config = config;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        _actions = discrete.N;
        _obsSize = observationSpace.FlatSize;
        _device = device;
        _rng = new Rng((ulong)seed);
        torch.set_num_threads(config.TorchThreads);
        torch.manual_seed(seed);
        var kind = NetworkFactory.Resolve(config.Policy, observationSpace.Shape);
        if (kind is PolicyKind.Lstm or PolicyKind.Transformer)
            throw new ArgumentException($"DQN supports policy mlp or cnn; the {kind.ToString().ToLowerInvariant()} policy is for PPO, A2C and A3C (--algo ppo).");
        _online = new QNetwork(kind, observationSpace.Shape, _actions, config.NetArch, config.Dueling).to(device);
        _target = new QNetwork(kind, observationSpace.Shape, _actions, config.NetArch, config.Dueling).to(device);
        CopyWeights(_online, _target, tau: 1.0);
        _optimizer = new AdamOptimizer(_online.parameters(), config.LearningRate);
    }

    public string Algo => "dqn";

    public bool UsesReplay => true;

    public DqnConfig Config { get; }

    public Box ObservationSpace { get; }

    public TorchSharp.torch.nn.Module PolicyNetwork => _online;

    public Space ActionSpace { get; }

    public QNetwork OnlineNetwork => _online;

    public ReplayBuffer Buffer => _buffer ??= CreateBuffer();

    private ReplayBuffer CreateBuffer()
    {
        var storage = Config.ReplayOnDevice ? _device : null;
        return Config.Prioritized
            ? new PrioritizedReplayBuffer(Config.BufferSize, ObservationSpace, Config.PerAlpha, Config.PerEps, storage)
            : new ReplayBuffer(Config.BufferSize, ObservationSpace, storage);
    }

    public void Learn(TrainingRun run)
    {
        var c = Config;
        int n = c.NumEnvs;
        var buffer = Buffer;
        _batch ??= new ReplayBatch(c.BatchSize, ObservationSpace.Shape, _device);
        var epsilon = new LinearSchedule(c.ExplorationInitialEps, c.ExplorationFinalEps, c.ExplorationFraction);
        var nStep = Enumerable.Range(0, n).Select(_ => new NStepAccumulator(c.NSteps, (float)c.Gamma, _obsSize)).ToArray();
        using var envs = run.MakeVectorEnvs(n);
        long step = run.Step;
        long nextTrain = step + c.TrainFreq, nextTargetUpdate = step + c.TargetUpdateInterval;
        if (_loop.Resume(run, envs) is { } saved) // a resumed run: the same episodes, schedule and pending n-step transitions
        {
            (nextTrain, nextTargetUpdate) = (saved.ReadInt64(), saved.ReadInt64());
            foreach (var pending in nStep) pending.LoadState(saved);
        }
        // A checkpoint taken at any step stores these variables' values at that moment (the closure reads them then).
        _loop.Attach(envs, () => step, writer =>
        {
            writer.Write(nextTrain);
            writer.Write(nextTargetUpdate);
            foreach (var pending in nStep) pending.SaveState(writer);
        });
        var observations = (float[])envs.Observations.Clone();
        var masks = (bool[]?)envs.ActionMasks?.Clone(); // valid actions of observations' rows, when the env masks actions
        var actions = new int[n];
        var greedy = new int[n];
        var policy = new GreedyQPolicy(_online, ObservationSpace.Shape, _device);

        try
        {
            while (!run.ShouldStop)
            {
                // 1. ε-greedy actions for every env (one batched forward pass).
                double eps = epsilon.At(run.ScheduleProgress(step));
                policy.Act(observations, n, greedy, masks);
                for (int i = 0; i < n; i++)
                {
                    var valid = masks is null ? default : masks.AsSpan(i * _actions, _actions);
                    actions[i] = _rng.NextDouble() < eps ? ActionMask.SampleValid(_rng, _actions, valid) : greedy[i];
                }

                // 2. Step the envs; store transitions with the true next observation (final obs on episode end).
                envs.Step(actions);
                for (int i = 0; i < n; i++)
                {
                    bool done = envs.HasFinalObservation[i];
                    var next = done ? envs.FinalObservations.AsSpan(i * _obsSize, _obsSize) : envs.Observations.AsSpan(i * _obsSize, _obsSize);
                    var nextMask = (done ? envs.FinalActionMasks : envs.ActionMasks) is { } m ? m.AsSpan(i * _actions, _actions) : default;
                    nStep[i].Add(observations.AsSpan(i * _obsSize, _obsSize), actions[i], envs.Rewards[i], next,
                        envs.Terminated[i], envs.Truncated[i], buffer, nextMask);
                    if (done) run.EpisodeFinished(envs.FinishedEpisodeReturns[i], envs.FinishedEpisodeLengths[i]);
                }
                envs.Observations.AsSpan().CopyTo(observations);
                envs.ActionMasks?.AsSpan().CopyTo(masks);
                step += n;

                // 3. Learn from replayed minibatches.
                if (step > c.LearningStarts && step >= nextTrain)
                {
                    nextTrain = step + c.TrainFreq;
                    double progress = run.ScheduleProgress(step);
                    if (c.AnnealLr) SetLearningRate(c.LearningRate * (1.0 - progress));
                    if (buffer is PrioritizedReplayBuffer per) per.Beta = c.PerBeta0 + (1.0 - c.PerBeta0) * progress;
                    float loss = 0;
                    for (int g = 0; g < c.GradientSteps; g++) loss = TrainStep(run, buffer, _batch, readLoss: g == c.GradientSteps - 1);
                    run.Metrics.Scalar("loss", loss, step);
                    run.Metrics.Scalar("epsilon", eps, step);
                    run.Metrics.Scalar("learning_rate", LearningRate, step);
                }

                // 4. Move the target network towards the online one.
                if (step >= nextTargetUpdate)
                {
                    nextTargetUpdate = step + c.TargetUpdateInterval;
                    CopyWeights(_online, _target, c.Tau);
                }

                run.Advance(step);
            }
        }
        catch
        {
            _loop.Abandon(); // a failed step leaves no state worth saving
            throw;
        }
        _loop.Detach(); // before the envs are disposed: the checkpoint saved after the loop stores its final state
    }

    /// <summary>One gradient step on a sampled minibatch; returns the loss when asked (reading it syncs).</summary>
    private float TrainStep(TrainingRun run, ReplayBuffer buffer, ReplayBatch batch, bool readLoss)
    {
        using var scope = NewDisposeScope();
        buffer.Sample(batch, _rng);
        Tensor targetQ;
        using (no_grad())
        {
            var nextTarget = _target.forward(batch.NextObservations);
            var nextOnline = Config.DoubleDqn ? _online.forward(batch.NextObservations) : null;
            var nextValue = NextStateValue(nextTarget, nextOnline, batch.NextActionMasks);
            targetQ = batch.Rewards + batch.Discounts * nextValue;
        }
        var q = _online.forward(batch.Observations).gather(1, batch.Actions.unsqueeze(1)).squeeze(1);
        var tdError = q - targetQ;
        var absError = tdError.abs();
        var elementLoss = Config.Loss == "huber"
            ? where(absError.lt(Scalars.One), tdError.square().mul(Scalars.Half), absError.sub(Scalars.Half))
            : tdError.square();
        var loss = (elementLoss * batch.Weights).mean();

        _optimizer.ZeroGrad();
        loss.backward();
        if (!GradientClipping.CheckAndClip(_online.parameters(), Config.MaxGradNorm, run)) return 0f; // skipped: nor priorities from NaN errors
        _optimizer.Step();

        if (buffer is PrioritizedReplayBuffer per)
        {
            var priorities = tdError.detach().abs().cpu().data<float>().ToArray();
            per.UpdatePriorities(batch.Indices, priorities);
        }
        return readLoss ? loss.item<float>() : 0f;
    }

    /// <summary>
    /// The bootstrap value of the next states [B]: max over a' of the target network's Q, or with Double DQN the target's
    /// Q at the online network's argmax. With action masks [B, A] (1 = valid) both range over the next state's valid
    /// actions only — an action the agent could not take there must not inflate the target.
    /// </summary>
    public static Tensor NextStateValue(Tensor targetQ, Tensor? onlineQ, Tensor? validActions)
    {
        targetQ = MaskInvalid(targetQ, validActions);
        if (onlineQ is null) return targetQ.max(1).values;
        var nextAction = MaskInvalid(onlineQ, validActions).argmax(1, keepdim: true);
        return targetQ.gather(1, nextAction).squeeze(1);
    }

    // A finite penalty rather than −∞ keeps gather/max NaN-free; valid entries are unchanged (+0).
    private static Tensor MaskInvalid(Tensor q, Tensor? validActions) =>
        validActions is null ? q : q.add(validActions.sub(Scalars.One).mul(Scalars.Of(1e9)));

    private static void CopyWeights(nn.Module source, nn.Module target, double tau)
    {
        using var _ = no_grad();
        foreach (var (s, t) in source.parameters().Zip(target.parameters()))
        {
            if (tau >= 1.0) t.copy_(s);
            else t.mul_(Scalars.Of(1 - tau)).add_(s, Scalars.Of(tau));
        }
    }

    public double LearningRate => _optimizer.LearningRate;

    private void SetLearningRate(double lr) => _optimizer.LearningRate = lr;

    public IBatchPolicy GreedyPolicy() => new GreedyQPolicy(_online, ObservationSpace.Shape, _device);

    /// <summary>Transferred weights went into the online network: the target network starts from them too.</summary>
    public void WeightsReplaced() => CopyWeights(_online, _target, 1.0);

    public void Save(string directory, bool includeReplay)
    {
        _loop.Save(directory);
        _online.save(Path.Combine(directory, "model.pt"));
        _target.save(Path.Combine(directory, "target.pt"));
        _optimizer.Save(Path.Combine(directory, "optimizer.pt"));
        var state = new DqnState(_rng.GetState(), LearningRate);
        File.WriteAllText(Path.Combine(directory, "agent.json"), JsonSerializer.Serialize(state, HyperparameterResolver.Json));
        if (includeReplay && _buffer is not null) ReplayFile.Save(_buffer, Path.Combine(directory, "replay.msgpack"));
    }

    public void Load(string directory, bool includeReplay, bool includeTrainingState = true)
    {
        CheckpointFiles.LoadModule(_online, Path.Combine(directory, "model.pt"));
        string target = Path.Combine(directory, "target.pt");
        if (File.Exists(target)) CheckpointFiles.LoadModule(_target, target);
        else CopyWeights(_online, _target, 1.0);
        if (!includeTrainingState) return;
        string optimizer = Path.Combine(directory, "optimizer.pt");
        if (File.Exists(optimizer)) CheckpointFiles.Guard(optimizer, () => _optimizer.Load(optimizer));
        _loop.Load(directory);
        string agent = Path.Combine(directory, "agent.json");
        if (File.Exists(agent))
        {
            var state = CheckpointFiles.ReadJson<DqnState>(agent);
            _rng.SetState(CheckpointFiles.RngState(state.Rng, agent));
            if (!double.IsFinite(state.LearningRate) || state.LearningRate <= 0)
                throw new InvalidDataException($"Checkpoint file '{agent}' is invalid: learning_rate must be a positive, finite number (got {state.LearningRate}).");
            SetLearningRate(state.LearningRate);
        }
        if (includeReplay) ReplayFile.Load(Buffer, Path.Combine(directory, "replay.msgpack"));
    }

    public void Dispose()
    {
        _batch?.Dispose();
        _buffer?.Dispose();
        _optimizer.Dispose();
        _online.Dispose();
        _target.Dispose();
    }

    private sealed record DqnState(ulong[] Rng, double LearningRate);
}
