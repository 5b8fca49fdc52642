using DeepRL.Agents.Export;
using DeepRL.Agents.Networks;
using DeepRL.Agents.OnPolicy;
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
public sealed class PpoAgent : IAgent, IExportablePolicy
{
    private readonly Device _device;
    private readonly ActorCritic _net;
    private readonly AdamOptimizer _optimizer;
    private readonly Rng _rng;
    // Format 2: the rollout collector's state carries its action generator.
    private readonly LoopState _loop = new("ppo", formatVersion: 2);
    private readonly long[] _obsShape;

    public PpoAgent(PpoConfig config, Box observationSpace, Space actionSpace, Device device, int seed)
    {
        config.Validate();
        Config = config;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        int actorOutputs = actionSpace switch
        {
            Discrete d => d.N,
            Box box => box.FlatSize,
            _ => throw new ArgumentException($"PPO supports Discrete and Box action spaces, not {actionSpace}."),
        };
        _obsShape = observationSpace.Shape.Select(d => (long)d).ToArray();
        _device = device;
        _rng = new Rng((ulong)seed);
        torch.set_num_threads(config.TorchThreads);
        torch.manual_seed(seed);
        var kind = NetworkFactory.Resolve(config.Policy, observationSpace.Shape);
        _net = new ActorCritic(kind, observationSpace.Shape, actorOutputs, actionSpace is Box, config.NetArch, config.SharedTorso,
            config.LstmHidden, config.LogStdInit, transformerSettings: config.Transformer);
        _net.to(device);
        _optimizer = new AdamOptimizer(_net.parameters(), config.LearningRate, eps: 1e-5);
    }

    public string Algo => "ppo";

    public PpoConfig Config { get; }

    public Box ObservationSpace { get; }

    public TorchSharp.torch.nn.Module PolicyNetwork => _net;

    public Space ActionSpace { get; }

    public double LearningRate => _optimizer.LearningRate;

    public ActorCritic Network => _net;

    public void Learn(TrainingRun run)
    {
        var c = Config;
        int n = c.NumEnvs;
        using var envs = c.ThreadedEnvs
            ? VectorEnvs.Make(run.Options.EnvId, n, VectorMode.Threaded, options: run.EnvOptions, registry: run.Registry)
            : run.MakeVectorEnvs(n);
        if (c.ThreadedEnvs) envs.Reset(TrainingRun.SessionSeed(run.Options.Seed, run.Step));
        using var collector = new RolloutCollector(_net, envs, c.NumSteps, _device, _rng);
        long step = run.Step;
        // A resumed run completes the rollout the checkpoint interrupted, in the same envs' episodes.
        if (_loop.Resume(run, envs) is { } saved) collector.LoadState(saved);
        _loop.Attach(envs, () => step, collector.SaveState);
        try
        {
            while (!run.ShouldStop)
            {
                // Learning-rate (and optionally clip) annealing over the run's schedule, read where this rollout started.
                double frac = run.Schedule.Remaining(step - (long)collector.RestoredSteps * n);
                double lr = c.AnnealLr ? c.LearningRate * frac : c.LearningRate;
                _optimizer.LearningRate = lr;
                double clip = c.AnnealClip ? c.ClipCoef * frac : c.ClipCoef;

                // 1. Roll out num_steps steps in every env with the current policy.
                bool complete = collector.Collect(() => run.ShouldStop, run.EpisodeFinished, () =>
                {
                    step += n;
                    run.Advance(step);
                });
                if (!complete) break; // stopped mid-rollout: the checkpoint keeps it, and a resume completes it

                // 2. Advantages and returns with GAE(λ), bootstrapping from V(s_T) (0 after termination, V(final obs) after truncation).
                collector.ComputeGae((float)c.Gamma, (float)c.GaeLambda);

                // 3. Several epochs of clipped-surrogate updates on shuffled minibatches.
                var stats = Optimize(run, collector, clip);

                run.Metrics.Scalar("loss", stats.Loss, step);
                run.Metrics.Scalar("policy_loss", stats.PolicyLoss, step);
                run.Metrics.Scalar("value_loss", stats.ValueLoss, step);
                run.Metrics.Scalar("entropy", stats.Entropy, step);
                run.Metrics.Scalar("approx_kl", stats.ApproxKl, step);
                run.Metrics.Scalar("clip_fraction", stats.ClipFraction, step);
                run.Metrics.Scalar("explained_variance", ExplainedVariance(collector.Buffer), step);
                run.Metrics.Scalar("learning_rate", lr, step);
                collector.RolloutUsed();
            }
        }
        catch
        {
            _loop.Abandon(); // a failed step leaves no state worth saving
            throw;
        }
        _loop.Detach(); // before the envs are disposed: the checkpoint saved after the loop stores its final state
    }

    private sealed record UpdateStats(double Loss, double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double ClipFraction);

    private UpdateStats Optimize(TrainingRun run, RolloutCollector collector, double clip)
    {
        var c = Config;
        var buffer = collector.Buffer;
        int n = buffer.NumEnvs, T = buffer.NumSteps, size = buffer.Size;
        var (h0, c0) = collector.InitialState;
        using var rollout = NewDisposeScope();
        var (obsAll, actAll) = collector.BufferTensors();
        var oldLogProb = tensor(buffer.LogProbs).to(_device);
        var oldValues = tensor(buffer.Values).to(_device);
        var advAll = tensor(buffer.Advantages).to(_device);
        var retAll = tensor(buffer.Returns).to(_device);
        var startsAll = collector.EpisodeStartsTensor();
        var masksAll = collector.ActionMasksTensor();

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

    private static double ExplainedVariance(RolloutBuffer buffer)
    {
        double meanR = buffer.Returns.Average();
        double varR = buffer.Returns.Average(r => (r - meanR) * (r - meanR));
        if (varR < 1e-12) return double.NaN;
        var diff = buffer.Returns.Zip(buffer.Values, (r, v) => (double)r - v).ToArray();
        double meanD = diff.Average();
        return 1 - diff.Average(d => (d - meanD) * (d - meanD)) / varR;
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
