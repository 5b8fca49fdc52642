using DeepRL.Agents.A2c;
using DeepRL.Agents.Distributed;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments.Spaces;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Impala;

/// <summary>
/// IMPALA's learner: one update from a batch of unrolls. It lays the unrolls side by side (time-major, [T + 1, B]),
/// replays them through its current network (an LSTM from each unroll's initial state), computes V-trace targets from
/// the behaviour and current log-probabilities, and takes one optimizer step on
/// <c>−ρ_s·A_s·log π(a_s) + vf_coef · ½(v_s − V(x_s))² − ent_coef · H(π)</c> (means over the batch). Its weights are then
/// a new version for the actors. The network lives on the learner's device; V-trace runs on the host (T·B numbers).
/// </summary>
public sealed class ImpalaLearner : IDisposable
{
    private readonly ImpalaConfig _config;
    private readonly Device _device;
    private readonly Parameter[] _parameters;
    private readonly long[] _observationShape;
    private readonly int _observationSize, _actionSize, _actorOutputs, _stateSizeH, _stateSizeC;
    private readonly bool _continuous;

    public ImpalaLearner(ImpalaConfig config, Box observationSpace, Space actionSpace, Device device)
    {
        _config = config;
        _device = device;
        Network = ActorCriticParts.Network(config, observationSpace, actionSpace);
        Network.to(device);
        _parameters = Network.parameters().ToArray();
        Optimizer = ActorCriticParts.Optimizer(config, _parameters);
        _observationShape = observationSpace.Shape.Select(d => (long)d).ToArray();
        _observationSize = observationSpace.FlatSize;
        _continuous = actionSpace is Box;
        _actorOutputs = actionSpace is Discrete d ? d.N : ((Box)actionSpace).FlatSize;
        _actionSize = _continuous ? _actorOutputs : 1;
        if (Network.IsRecurrent)
        {
            var (h, c) = Network.InitialState(1, CPU);
            (_stateSizeH, _stateSizeC) = ((int)h.shape[2], (int)c.shape[2]);
            h.Dispose();
            c.Dispose();
        }
    }

    public ActorCritic Network { get; }

    public IOptimizer Optimizer { get; }

    /// <summary>Updates applied so far (all sessions): the version of the weights the learner holds.</summary>
    public long Version { get; set; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Whether the env masks actions (unrolls then carry the masks the actors sampled under).</summary>
    public bool Masked { get; set; }

    /// <summary>The current weights as the next version actors pick up.</summary>
    public PolicyWeights Publish() => new(Version, ParameterVector.Read(_parameters));

    /// <summary>Null when <paramref name="unroll"/> fits this learner, else what is wrong with it.</summary>
    public string? Check(Unroll unroll) =>
        unroll.Validate(_config.UnrollLength, _observationSize, _actionSize, _actorOutputs, Masked, _stateSizeH);

    /// <summary>
    /// One update from <paramref name="batch"/>. Returns its loss terms, or null when the update was skipped (non-finite
    /// gradients with <c>on_nan: skip</c>; the version does not advance). Without a <paramref name="run"/> (benchmarks) a
    /// non-finite update throws.
    /// </summary>
    public ActorCriticMetrics? Train(IReadOnlyList<Unroll> batch, double learningRate, TrainingRun? run)
    {
        int t = _config.UnrollLength, envs = batch.Sum(u => u.Envs);
        var host = Assemble(batch, t, envs);

        using var scope = NewDisposeScope();
        var (_, stepValue, bootstrap, logProb, entropy) = Replay(host, t, envs);

        var targets = VTrace.Compute(new VTraceBatch(t, envs,
            host.BehaviourLogProbs, logProb.detach().cpu().data<float>().ToArray(), host.Rewards,
            stepValue.detach().cpu().data<float>().ToArray(), bootstrap.detach().cpu().data<float>().ToArray(),
            host.Terminated, host.Truncated, host.FinalValues), (float)_config.Gamma, (float)_config.RhoBar, (float)_config.CBar);
        var vs = tensor(targets.Vs).to(_device);
        var advantages = tensor(targets.PolicyAdvantages).to(_device);

        var policyLoss = logProb.mul(advantages).mean().neg();
        var valueLoss = vs.sub(stepValue).square().mean().mul(Scalars.Half);
        var entropyMean = entropy.mean();
        var total = policyLoss.add(valueLoss.mul(Scalars.Of(_config.VfCoef))).sub(entropyMean.mul(Scalars.Of(_config.EntCoef)));

        Optimizer.ZeroGrad();
        total.backward();
        if (run is null) GradientClipping.ClipGradNorm(_parameters, _config.MaxGradNorm > 0 ? _config.MaxGradNorm : double.PositiveInfinity);
        else if (!GradientClipping.CheckAndClip(_parameters, _config.MaxGradNorm, run)) return null;
        Optimizer.LearningRate = learningRate;
        Optimizer.Step();
        Version++;
        return ActorCriticMetrics.From(new ActorCriticLoss.Parts(total, policyLoss, valueLoss, entropyMean));
    }

    /// <summary>
    /// The batch's behaviour log-probabilities and those of the learner's current network for the same actions — equal
    /// when the learner holds the weights the actors acted with (tests check the replay with this).
    /// </summary>
    internal (float[] Behaviour, float[] Target) LogProbabilities(IReadOnlyList<Unroll> batch)
    {
        int t = _config.UnrollLength, envs = batch.Sum(u => u.Envs);
        var host = Assemble(batch, t, envs);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (_, _, _, logProb, _) = Replay(host, t, envs);
        return (host.BehaviourLogProbs, logProb.cpu().data<float>().ToArray());
    }

    /// <summary>
    /// The network over the batch as the actors stepped it — an LSTM from each unroll's initial state, reset where
    /// episodes start: actor outputs and values of the T·B steps, V of the observations after them, and the log-probability
    /// and entropy of the actions taken. Call in a dispose scope.
    /// </summary>
    private (Tensor Actor, Tensor Value, Tensor Bootstrap, Tensor LogProb, Tensor Entropy) Replay(HostBatch host, int t, int envs)
    {
        int n = t * envs;
        var observations = tensor(host.Observations).reshape([t + 1, envs, .. _observationShape]).to(_device);
        Tensor actor, value;
        if (Network.IsRecurrent)
        {
            var starts = tensor(host.Starts).reshape(t + 1, envs).to(_device);
            var h0 = tensor(host.H!).reshape(1, envs, _stateSizeH).to(_device);
            var c0 = tensor(host.C!).reshape(1, envs, _stateSizeC).to(_device);
            (actor, value) = Network.Sequence(observations, starts, h0, c0);
        }
        else
        {
            (actor, value, _, _) = Network.Step(observations.reshape([(t + 1) * envs, .. _observationShape]), null, null, null);
        }
        // Rows [0, n) are the unrolls' steps; the last env row is the observation each unroll bootstraps from.
        var stepActor = actor[..n];
        var actions = _continuous
            ? tensor(host.Actions).reshape(n, _actionSize).to(_device)
            : tensor(host.Actions.Select(a => (long)a).ToArray()).to(_device);
        var masks = host.Masks is { } m ? PolicyDistribution.MaskTensor(m, _actorOutputs, _device) : null;
        var (logProb, entropy) = PolicyDistribution.Evaluate(stepActor, actions, Network.LogStd, masks);
        return (stepActor, value[..n], value[n..], logProb, entropy);
    }

    private sealed record HostBatch(float[] Observations, float[] Starts, float[]? H, float[]? C, float[] Actions, bool[]? Masks,
        float[] BehaviourLogProbs, float[] Rewards, bool[] Terminated, bool[] Truncated, float[] FinalValues);

    /// <summary>
    /// Lays the unrolls side by side: row [t, offset_u + e] of the batch is row [t, e] of unroll u. The behaviour
    /// log-probabilities come from each unroll's own outputs (and log std), under the masks the actor sampled with.
    /// </summary>
    private HostBatch Assemble(IReadOnlyList<Unroll> batch, int t, int envs)
    {
        int n = t * envs, a = _actorOutputs;
        var hb = new HostBatch(new float[(t + 1) * envs * _observationSize], new float[(t + 1) * envs],
            Network.IsRecurrent ? new float[envs * _stateSizeH] : null, Network.IsRecurrent ? new float[envs * _stateSizeC] : null,
            new float[n * _actionSize], Masked ? new bool[n * a] : null, new float[n], new float[n], new bool[n], new bool[n], new float[n]);
        int offset = 0;
        foreach (var u in batch)
        {
            int e = u.Envs;
            for (int step = 0; step <= t; step++)
            {
                int src = step * e, dst = step * envs + offset;
                u.Observations.AsSpan(src * _observationSize, e * _observationSize).CopyTo(hb.Observations.AsSpan(dst * _observationSize));
                for (int k = 0; k < e; k++) hb.Starts[dst + k] = u.EpisodeStarts[src + k] ? 1f : 0f;
                if (step == t) break;
                u.Actions.AsSpan(src * _actionSize, e * _actionSize).CopyTo(hb.Actions.AsSpan(dst * _actionSize));
                u.Rewards.AsSpan(src, e).CopyTo(hb.Rewards.AsSpan(dst));
                u.Terminated.AsSpan(src, e).CopyTo(hb.Terminated.AsSpan(dst));
                u.Truncated.AsSpan(src, e).CopyTo(hb.Truncated.AsSpan(dst));
                u.FinalValues.AsSpan(src, e).CopyTo(hb.FinalValues.AsSpan(dst));
                u.ActionMasks?.AsSpan(src * a, e * a).CopyTo(hb.Masks.AsSpan(dst * a));
                for (int k = 0; k < e; k++)
                {
                    var outputs = u.BehaviourOutputs.AsSpan((src + k) * a, a);
                    hb.BehaviourLogProbs[dst + k] = _continuous
                        ? PolicyDistribution.GaussianLogProb(outputs, u.BehaviourLogStd, u.Actions.AsSpan((src + k) * _actionSize, _actionSize))
                        : PolicyDistribution.CategoricalLogProb(outputs, (int)u.Actions[src + k],
                            u.ActionMasks is { } masks ? masks.AsSpan((src + k) * a, a) : default);
                }
            }
            u.InitialH?.CopyTo(hb.H!, offset * _stateSizeH);
            u.InitialC?.CopyTo(hb.C!, offset * _stateSizeC);
            offset += e;
        }
        return hb;
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Network.Dispose();
    }
}
