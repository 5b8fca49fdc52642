using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using DeepRL.Replay.Rollout;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Ppo;

/// <summary>
/// Proximal Policy Optimization (Schulman et al. 2017) with the implementation details CleanRL documents:
/// vector envs, GAE, advantage normalization, clipped surrogate and value losses, entropy bonus,
/// several epochs of shuffled minibatches, global gradient clipping, learning-rate annealing, approx-KL
/// early stopping. Discrete and Box actions; MLP, CNN and LSTM policies (recurrent training replays
/// whole env sequences with their initial hidden states). <see cref="Learn"/> reads top to bottom.
/// </summary>
public sealed class PpoAgent : IAgent
{
    private readonly Device _device;
    private readonly ActorCritic _net;
    private readonly AdamOptimizer _optimizer;
    private readonly Rng _rng;
    private readonly LoopState _loop = new("ppo");
    private readonly bool _continuous;
    private readonly int _actionSize;
    private readonly int _actorOutputs;
    private readonly int _obsSize;
    private readonly long[] _obsShape;

    public PpoAgent(PpoConfig config, Box observationSpace, Space actionSpace, Device device, int seed)
    {
        config.Validate();
        Config = config;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        _continuous = actionSpace is Box;
        _actionSize = actionSpace is Box b ? b.FlatSize : 1;
        _actorOutputs = actionSpace switch
        {
            Discrete d => d.N,
            Box box => box.FlatSize,
            _ => throw new ArgumentException($"PPO supports Discrete and Box action spaces, not {actionSpace}."),
        };
        _obsSize = observationSpace.FlatSize;
        _obsShape = observationSpace.Shape.Select(d => (long)d).ToArray();
        _device = device;
        _rng = new Rng((ulong)seed);
        torch.set_num_threads(config.TorchThreads);
        torch.manual_seed(seed);
        var kind = NetworkFactory.Resolve(config.Policy, observationSpace.Shape);
        _net = new ActorCritic(kind, observationSpace.Shape, _actorOutputs, _continuous, config.NetArch, config.SharedTorso,
            config.LstmHidden, config.LogStdInit);
        _net.to(device);
        _optimizer = new AdamOptimizer(_net.parameters(), config.LearningRate, eps: 1e-5);
    }

    public string Algo => "ppo";

    public PpoConfig Config { get; }

    public Box ObservationSpace { get; }

    public Space ActionSpace { get; }

    public double LearningRate => _optimizer.LearningRate;

    public ActorCritic Network => _net;

    public void Learn(TrainingRun run)
    {
        var c = Config;
        int n = c.NumEnvs, T = c.NumSteps;
        bool recurrent = _net.IsRecurrent;
        using var envs = c.ThreadedEnvs
            ? VectorEnvs.Make(run.Options.EnvId, n, VectorMode.Threaded, options: run.EnvOptions, registry: run.Registry)
            : run.MakeVectorEnvs(n);
        if (c.ThreadedEnvs) envs.Reset(TrainingRun.SessionSeed(run.Options.Seed, run.Step));
        var buffer = new RolloutBuffer(T, n, _obsSize, _actionSize, envs.ActionMasks is null ? 0 : _actorOutputs);
        var starts = Enumerable.Repeat(true, n).ToArray();
        Tensor? h = null, cState = null, h0 = null, c0 = null; // LSTM state now and at the start of the rollout
        if (recurrent) (h, cState) = Detached(_net.InitialState(n, _device));
        long step = run.Step;

        // A resumed run continues the rollout the checkpoint interrupted: the same envs, steps so far and LSTM states.
        bool continuing = false;
        if (_loop.Resume(run, envs) is { } saved)
        {
            buffer.LoadState(saved);
            saved.ReadArray<bool>(starts);
            if (recurrent)
            {
                (h0, c0) = (h!.clone().DetachFromDisposeScope(), cState!.clone().DetachFromDisposeScope());
                using var _ = no_grad();
                foreach (var state in new[] { h, cState, h0, c0 }) state!.Load(saved);
            }
            continuing = buffer.Step > 0;
        }
        // A checkpoint taken at any step stores these variables' values at that moment (the closure reads them then).
        _loop.Attach(envs, () => step, writer =>
        {
            buffer.SaveState(writer);
            writer.WriteArray<bool>(starts);
            if (recurrent)
            {
                foreach (var state in new[] { h, cState, h0 ?? h, c0 ?? cState }) state!.Save(writer);
            }
        });
        var masks = (bool[]?)envs.ActionMasks?.Clone(); // valid actions of obs's rows, when the env masks actions
        var obs = (float[])envs.Observations.Clone();
        var actions = new float[n * _actionSize];
        var envActionsDiscrete = new int[n];
        var envActionsContinuous = new float[n * _actionSize];
        var logProbs = new float[n];
        var values = new float[n];
        var logStd = new float[_continuous ? _actorOutputs : 0];
        var actorHost = new float[n * _actorOutputs];
        var startFlags = new float[n];
        var box = ActionSpace as Box;

        try
        {
            while (!run.ShouldStop)
            {
                if (!continuing)
                {
                    buffer.Clear();
                    if (recurrent) ReplaceState(ref h0, ref c0, h!.clone(), cState!.clone());
                }
                continuing = false;

                // Learning-rate (and optionally clip) annealing over the run's schedule, read where this rollout started.
                long rolloutStart = step - (long)buffer.Step * n;
                double frac = run.Schedule.Remaining(rolloutStart);
                double lr = c.AnnealLr ? c.LearningRate * frac : c.LearningRate;
                _optimizer.LearningRate = lr;
                double clip = c.AnnealClip ? c.ClipCoef * frac : c.ClipCoef;
                if (_continuous) _net.LogStd!.cpu().data<float>().CopyTo(logStd);

                // 1. Roll out T steps in every env with the current policy.
                for (int t = buffer.Step; t < T && !run.ShouldStop; t++)
                {
                    using (var scope = NewDisposeScope())
                    using (no_grad())
                    {
                        var (actor, value, hn, cn) = _net.Step(ToDevice(obs, n), h, cState, recurrent ? ToDevice(starts, startFlags) : null);
                        actor.cpu().data<float>().CopyTo(actorHost);
                        value.cpu().data<float>().CopyTo(values);
                        if (recurrent) ReplaceState(ref h, ref cState, hn!, cn!);
                        for (int i = 0; i < n; i++)
                        {
                            var row = actorHost.AsSpan(i * _actorOutputs, _actorOutputs);
                            if (_continuous)
                            {
                                var a = actions.AsSpan(i * _actionSize, _actionSize);
                                logProbs[i] = PolicyDistribution.SampleGaussian(row, logStd, _rng, a);
                                for (int k = 0; k < _actionSize; k++)
                                    envActionsContinuous[i * _actionSize + k] = Math.Clamp(a[k], box!.Low[k], box.High[k]);
                            }
                            else
                            {
                                var valid = masks is null ? default : masks.AsSpan(i * _actorOutputs, _actorOutputs);
                                envActionsDiscrete[i] = PolicyDistribution.SampleCategorical(row, _rng, out logProbs[i], valid);
                                actions[i] = envActionsDiscrete[i];
                            }
                        }
                    }

                    if (_continuous) envs.Step(envActionsContinuous);
                    else envs.Step(envActionsDiscrete);
                    buffer.Add(obs, actions, logProbs, values, envs.Rewards, envs.Terminated, envs.Truncated, starts, masks);
                    BootstrapTruncated(envs, buffer, h, cState);
                    for (int i = 0; i < n; i++)
                    {
                        starts[i] = envs.HasFinalObservation[i];
                        if (starts[i]) run.EpisodeFinished(envs.FinishedEpisodeReturns[i], envs.FinishedEpisodeLengths[i]);
                    }
                    envs.Observations.AsSpan().CopyTo(obs);
                    envs.ActionMasks?.AsSpan().CopyTo(masks);
                    step += n;
                    run.Advance(step);
                }
                if (!buffer.IsFull) break; // stopped mid-rollout: the checkpoint keeps it, and a resume completes it

                // 2. Advantages and returns with GAE(λ), bootstrapping from V(s_T).
                var lastValues = new float[n];
                using (var scope = NewDisposeScope())
                using (no_grad())
                {
                    var (_, v, _, _) = _net.Step(ToDevice(obs, n), h, cState, recurrent ? ToDevice(starts, startFlags) : null);
                    v.cpu().data<float>().CopyTo(lastValues);
                }
                buffer.ComputeReturnsAndAdvantages(lastValues, (float)c.Gamma, (float)c.GaeLambda);

                // 3. Several epochs of clipped-surrogate updates on shuffled minibatches.
                var stats = Optimize(run, buffer, clip, h0, c0);

                run.Metrics.Scalar("loss", stats.Loss, step);
                run.Metrics.Scalar("policy_loss", stats.PolicyLoss, step);
                run.Metrics.Scalar("value_loss", stats.ValueLoss, step);
                run.Metrics.Scalar("entropy", stats.Entropy, step);
                run.Metrics.Scalar("approx_kl", stats.ApproxKl, step);
                run.Metrics.Scalar("clip_fraction", stats.ClipFraction, step);
                run.Metrics.Scalar("explained_variance", ExplainedVariance(buffer), step);
                run.Metrics.Scalar("learning_rate", lr, step);
                buffer.Clear(); // used: a checkpoint taken before the next rollout starts one rather than repeating this update
            }
            _loop.Detach(); // before the envs are disposed: the checkpoint saved after the loop stores its final state
        }
        catch
        {
            _loop.Abandon(); // a failed step leaves no state worth saving
            throw;
        }
        finally
        {
            foreach (var state in new[] { h, cState, h0, c0 }) state?.Dispose();
        }
    }

    private sealed record UpdateStats(double Loss, double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double ClipFraction);

    private UpdateStats Optimize(TrainingRun run, RolloutBuffer buffer, double clip, Tensor? h0, Tensor? c0)
    {
        var c = Config;
        int n = buffer.NumEnvs, T = buffer.NumSteps, size = buffer.Size;
        using var rollout = NewDisposeScope();
        var obsAll = tensor(buffer.Observations).reshape([size, .. _obsShape]).to(_device);
        var actAll = _continuous
            ? tensor(buffer.Actions).reshape(size, _actionSize).to(_device)
            : tensor(buffer.Actions.Select(a => (long)a).ToArray()).to(_device);
        var oldLogProb = tensor(buffer.LogProbs).to(_device);
        var oldValues = tensor(buffer.Values).to(_device);
        var advAll = tensor(buffer.Advantages).to(_device);
        var retAll = tensor(buffer.Returns).to(_device);
        var startsAll = tensor(buffer.EpisodeStarts.Select(s => s ? 1f : 0f).ToArray()).to(_device);
        var masksAll = buffer.ActionMasks is { } m ? PolicyDistribution.MaskTensor(m, _actorOutputs, _device) : null;

        // Held until the update ends (not cached: with clip annealing the values change every update).
        using var clipScalar = clip.ToScalar();
        using var negativeClip = (-clip).ToScalar();
        using var ratioLow = (1 - clip).ToScalar();
        using var ratioHigh = (1 + clip).ToScalar();
        double loss = 0, pg = 0, vl = 0, ent = 0, kl = 0, clipFrac = 0;
        int count = 0;
        bool stop = false;
        for (int epoch = 0; epoch < c.UpdateEpochs && !stop; epoch++)
        {
            IEnumerable<int[]> batches = _net.IsRecurrent
                ? buffer.EnvMinibatches(Math.Max(1, n / c.NumMinibatches), _rng)
                : buffer.Minibatches(Math.Max(1, size / c.NumMinibatches), _rng);
            foreach (var batch in batches)
            {
                GcGate.SafePoint(); // between minibatches no tensor call is in flight: a collection due (or another thread's) may run
                using var scope = NewDisposeScope();
                Tensor actor, value, idx;
                if (_net.IsRecurrent)
                {
                    // Whole sequences of the chosen envs: entries t·n + e for every t, time-major.
                    var flat = new long[T * batch.Length];
                    for (int t = 0; t < T; t++)
                        for (int j = 0; j < batch.Length; j++) flat[t * batch.Length + j] = t * n + batch[j];
                    idx = tensor(flat).to(_device);
                    var envIdx = tensor(batch.Select(e => (long)e).ToArray()).to(_device);
                    var obsSeq = obsAll.index_select(0, idx).reshape([T, batch.Length, .. _obsShape]);
                    var startSeq = startsAll.index_select(0, idx).reshape(T, batch.Length);
                    (actor, value) = _net.Sequence(obsSeq, startSeq, h0!.index_select(1, envIdx), c0!.index_select(1, envIdx));
                }
                else
                {
                    idx = tensor(batch.Select(i => (long)i).ToArray()).to(_device);
                    (actor, value, _, _) = _net.Step(obsAll.index_select(0, idx), null, null, null);
                }
                var (newLogProb, entropy) = PolicyDistribution.Evaluate(actor, actAll.index_select(0, idx), _net.LogStd, masksAll?.index_select(0, idx));
                var logRatio = newLogProb - oldLogProb.index_select(0, idx);
                var ratio = logRatio.exp();
                Tensor approxKl, clipped;
                using (no_grad())
                {
                    approxKl = ratio.sub(Scalars.One).sub(logRatio).mean();
                    clipped = ratio.sub(Scalars.One).abs().gt(clipScalar).to_type(ScalarType.Float32).mean();
                }

                var adv = advAll.index_select(0, idx);
                // Counted in samples: a recurrent minibatch of one env still holds T of them.
                if (c.NormAdv && idx.shape[0] > 1) adv = adv.sub(adv.mean()).div(adv.std().add(Scalars.Of(1e-8)));
                var pgLoss = maximum(adv.neg().mul(ratio), adv.neg().mul(ratio.clamp(ratioLow, ratioHigh))).mean();

                var ret = retAll.index_select(0, idx);
                Tensor vLoss;
                if (c.ClipVloss)
                {
                    var old = oldValues.index_select(0, idx);
                    var vClipped = old + (value - old).clamp(negativeClip, clipScalar);
                    vLoss = maximum((value - ret).square(), (vClipped - ret).square()).mean().mul(Scalars.Half);
                }
                else
                {
                    vLoss = (value - ret).square().mean().mul(Scalars.Half);
                }
                var entropyMean = entropy.mean();
                var total = pgLoss.sub(entropyMean.mul(Scalars.Of(c.EntCoef))).add(vLoss.mul(Scalars.Of(c.VfCoef)));

                _optimizer.ZeroGrad();
                total.backward();
                if (GradientClipping.CheckAndClip(_net.parameters(), c.MaxGradNorm, run)) _optimizer.Step();

                double klValue = approxKl.item<float>();
                loss += total.item<float>();
                pg += pgLoss.item<float>();
                vl += vLoss.item<float>();
                ent += entropyMean.item<float>();
                kl += klValue;
                clipFrac += clipped.item<float>();
                count++;
                if (c.TargetKl > 0 && klValue > c.TargetKl)
                {
                    stop = true;
                    break;
                }
            }
        }
        count = Math.Max(1, count);
        return new UpdateStats(loss / count, pg / count, vl / count, ent / count, kl / count, clipFrac / count);
    }

    /// <summary>Truncated episodes bootstrap from V(final observation); computes it for those envs in one pass.</summary>
    private void BootstrapTruncated(IVectorEnvironment envs, RolloutBuffer buffer, Tensor? h, Tensor? cState)
    {
        int n = envs.NumEnvs;
        var rows = new List<int>();
        for (int i = 0; i < n; i++) if (envs.Truncated[i] && !envs.Terminated[i]) rows.Add(i);
        if (rows.Count == 0) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var final = new float[rows.Count * _obsSize];
        for (int r = 0; r < rows.Count; r++)
            envs.FinalObservations.AsSpan(rows[r] * _obsSize, _obsSize).CopyTo(final.AsSpan(r * _obsSize));
        Tensor? hRows = null, cRows = null, noReset = null;
        if (h is not null)
        {
            // The state after the last step already summarizes the episode up to the final observation.
            var idx = tensor(rows.Select(r => (long)r).ToArray()).to(_device);
            hRows = h.index_select(1, idx);
            cRows = cState!.index_select(1, idx);
            noReset = zeros(rows.Count, device: _device);
        }
        var (_, value, _, _) = _net.Step(ToDevice(final, rows.Count), hRows, cRows, noReset);
        var v = value.cpu().data<float>().ToArray();
        for (int r = 0; r < rows.Count; r++) buffer.SetTruncationValue(rows[r], v[r]);
    }

    private static double ExplainedVariance(RolloutBuffer buffer)
    {
        double meanR = buffer.Returns.Average();
        double varR = buffer.Returns.Average(r => (r - meanR) * (r - meanR));
        if (varR < 1e-12) return double.NaN;
        var diff = buffer.Returns.Zip(buffer.Values, (r, v) => (double)r - v).ToArray();
        double meanD = diff.Average();
        return 1 - diff.Average(d => (d - meanD) * (d - meanD)) / varR;
    }

    private Tensor ToDevice(float[] observations, int count)
    {
        var t = (observations.Length == count * _obsSize ? tensor(observations) : tensor(observations.AsSpan(0, count * _obsSize).ToArray()))
            .reshape([count, .. _obsShape]);
        return _device.type == DeviceType.CPU ? t : t.to(_device);
    }

    /// <summary>Episode-start flags as a float tensor, through a reused host buffer.</summary>
    private Tensor ToDevice(bool[] flags, float[] buffer)
    {
        for (int i = 0; i < flags.Length; i++) buffer[i] = flags[i] ? 1f : 0f;
        return tensor(buffer).to(_device);
    }

    private static (Tensor, Tensor) Detached((Tensor H, Tensor C) s) => (s.H.DetachFromDisposeScope(), s.C.DetachFromDisposeScope());

    private static void ReplaceState(ref Tensor? h, ref Tensor? c, Tensor hn, Tensor cn)
    {
        h?.Dispose();
        c?.Dispose();
        h = hn.DetachFromDisposeScope();
        c = cn.DetachFromDisposeScope();
    }

    public IBatchPolicy GreedyPolicy() => new GreedyActorPolicy(_net, ObservationSpace.Shape, _device);

    public IBatchPolicy StochasticPolicy(int seed) => new GreedyActorPolicy(_net, ObservationSpace.Shape, _device, new Rng((ulong)seed));

    public void Save(string directory, bool includeReplay)
    {
        NetworkCheckpoint.Save(directory, _net, _optimizer, _rng);
        _loop.Save(directory);
    }

    public void Load(string directory, bool includeReplay, bool includeTrainingState = true)
    {
        NetworkCheckpoint.Load(directory, _net, _optimizer, _rng, includeTrainingState);
        if (includeTrainingState) _loop.Load(directory);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _net.Dispose();
    }
}
