using DeepRL.Agents.Policies;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using DeepRL.Replay.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Agents.OnPolicy;

/// <summary>
/// The experience of an on-policy learner (PPO, A2C, one A3C worker): steps its vector env for a fixed number of steps
/// with an actor-critic network, keeps the rollout — with the truncation bootstrap V(final observation), action masks
/// and, for an LSTM, the hidden state carried across rollouts (zeroed at episode starts) and the state each rollout
/// started from — and computes its returns (n-step or GAE). Host buffers are allocated once; each step makes one
/// batched forward pass. What an algorithm does with the rollout (its loss, its epochs) stays in the algorithm.
/// </summary>
public sealed class RolloutCollector : IDisposable
{
    private readonly ActorCritic _net;
    private readonly IVectorEnvironment _envs;
    private readonly Device _device;
    private readonly Rng _rng;
    private readonly Box? _box;
    private readonly int _n, _obsSize, _actionSize, _actorOutputs;
    private readonly long[] _obsShape;
    private readonly float[] _obs, _actions, _logProbs, _values, _actorHost, _logStd, _startFlags, _lastValues;
    private readonly int[] _envActions, _truncatedRows;
    private readonly float[] _envActionsContinuous;
    private readonly bool[] _starts;
    private readonly bool[]? _masks; // valid actions of _obs's rows, when the envs mask actions
    private readonly float[]? _recordedOutputs; // every step's actor outputs, when recorded (IMPALA ships them)
    private Tensor? _h, _c, _h0, _c0;
    private bool _continuing; // the next Collect completes a rollout restored from a checkpoint

    /// <summary>
    /// Collects rollouts of <paramref name="steps"/> steps; <paramref name="rng"/> draws the actions (its state is saved
    /// with the rollout). With <paramref name="recordActorOutputs"/> it also keeps every step's actor outputs (logits, or
    /// Gaussian means) — what an off-policy learner needs to know how the behaviour policy chose.
    /// </summary>
    public RolloutCollector(ActorCritic net, IVectorEnvironment envs, int steps, Device device, Rng rng, bool recordActorOutputs = false)
    {
        _net = net;
        _envs = envs;
        _device = device;
        _rng = rng;
        _n = envs.NumEnvs;
        _obsSize = envs.SingleObservationSpace.FlatSize;
        _obsShape = envs.SingleObservationSpace.Shape.Select(d => (long)d).ToArray();
        _box = envs.SingleActionSpace as Box;
        _actionSize = _box?.FlatSize ?? 1;
        _actorOutputs = envs.SingleActionSpace switch
        {
            Discrete d => d.N,
            Box b => b.FlatSize,
            var other => throw new ArgumentException($"Actor-critic agents support Discrete and Box action spaces, not {other}."),
        };
        _masks = (bool[]?)envs.ActionMasks?.Clone();
        Buffer = new RolloutBuffer(steps, _n, _obsSize, _actionSize, _masks is null ? 0 : _actorOutputs);
        _obs = (float[])envs.Observations.Clone();
        _actions = new float[_n * _actionSize];
        _logProbs = new float[_n];
        _values = new float[_n];
        _actorHost = new float[_n * _actorOutputs];
        if (recordActorOutputs) _recordedOutputs = new float[steps * _n * _actorOutputs];
        _logStd = new float[_box is null ? 0 : _actorOutputs];
        _startFlags = new float[_n];
        _lastValues = new float[_n];
        _envActions = new int[_n];
        _truncatedRows = new int[_n];
        _envActionsContinuous = new float[_box is null ? 0 : _n * _actionSize];
        _starts = Enumerable.Repeat(true, _n).ToArray();
        if (net.IsRecurrent)
        {
            var (h, c) = net.InitialState(_n, device);
            (_h, _c) = (h.DetachFromDisposeScope(), c.DetachFromDisposeScope());
        }
    }

    public RolloutBuffer Buffer { get; }

    public IVectorEnvironment Envs => _envs;

    /// <summary>The collected steps' actor outputs [steps × envs × outputs], time-major (with recordActorOutputs; else null).</summary>
    public float[]? ActorOutputs => _recordedOutputs;

    /// <summary>The Gaussian policy's log std the rollout was collected with (Box actions; empty otherwise).</summary>
    public ReadOnlySpan<float> LogStd => _logStd;

    /// <summary>The observations after the last collected step: where the next rollout starts, and what bootstraps this one.</summary>
    public ReadOnlySpan<float> NextObservations => _obs;

    /// <summary>Which envs start an episode at <see cref="NextObservations"/>.</summary>
    public ReadOnlySpan<bool> NextStarts => _starts;

    /// <summary>The recurrent state after the last collected step (null for feed-forward networks).</summary>
    public (Tensor? H, Tensor? C) CurrentState => (_h, _c);

    /// <summary>The LSTM state (h, c) the collected rollout started from — what replaying it needs; nulls for feed-forward networks.</summary>
    public (Tensor? H, Tensor? C) InitialState => (_h0, _c0);

    /// <summary>
    /// Fills the rollout with the next one. <paramref name="episodeFinished"/> gets (return, length) of each finished
    /// episode; <paramref name="stepped"/> is called after every vector step; returns false when <paramref name="stop"/>
    /// turned true mid-rollout (the partial rollout is not used; a checkpoint keeps it and a resume completes it).
    /// </summary>
    public bool Collect(Func<bool> stop, Action<double, int> episodeFinished, Action stepped)
    {
        if (!_continuing)
        {
            Buffer.Clear();
            if (_net.IsRecurrent)
            {
                _h0?.Dispose();
                _c0?.Dispose();
                (_h0, _c0) = (_h!.clone().DetachFromDisposeScope(), _c!.clone().DetachFromDisposeScope());
            }
        }
        _continuing = false;
        if (_box is not null && _net.LogStd is { } logStd) logStd.detach().cpu().data<float>().CopyTo(_logStd);
        for (int t = Buffer.Step; t < Buffer.NumSteps; t++)
        {
            if (stop()) return false;
            Act();
            if (_box is null) _envs.Step(_envActions);
            else _envs.Step(_envActionsContinuous);
            Buffer.Add(_obs, _actions, _logProbs, _values, _envs.Rewards, _envs.Terminated, _envs.Truncated, _starts, _masks);
            BootstrapTruncated();
            for (int i = 0; i < _n; i++)
            {
                _starts[i] = _envs.HasFinalObservation[i];
                if (_starts[i]) episodeFinished(_envs.FinishedEpisodeReturns[i], _envs.FinishedEpisodeLengths[i]);
            }
            _envs.Observations.AsSpan().CopyTo(_obs);
            _envs.ActionMasks?.AsSpan().CopyTo(_masks);
            stepped();
        }
        return true;
    }

    /// <summary>Steps of a rollout restored by <see cref="LoadState"/> that the next <see cref="Collect"/> completes (0 otherwise).</summary>
    public int RestoredSteps => _continuing ? Buffer.Step : 0;

    /// <summary>
    /// The rollout collected so far, the episode-start flags, the action generator and the LSTM states (now and at the
    /// rollout's start): with the envs' own state, what a checkpoint needs to continue this rollout exactly.
    /// </summary>
    public void SaveState(BinaryWriter writer)
    {
        Buffer.SaveState(writer);
        writer.WriteArray<bool>(_starts);
        writer.Write(_rng);
        if (_net.IsRecurrent)
        {
            foreach (var state in new[] { _h, _c, _h0 ?? _h, _c0 ?? _c }) state!.Save(writer);
        }
    }

    /// <summary>Restores <see cref="SaveState"/>'s part; the envs must have been restored already (their observations are read).</summary>
    public void LoadState(BinaryReader reader)
    {
        Buffer.LoadState(reader);
        reader.ReadArray<bool>(_starts);
        reader.ReadInto(_rng);
        if (_net.IsRecurrent)
        {
            _h0 ??= _h!.clone().DetachFromDisposeScope();
            _c0 ??= _c!.clone().DetachFromDisposeScope();
            using var _ = no_grad();
            foreach (var state in new[] { _h, _c, _h0, _c0 }) state!.Load(reader);
        }
        _envs.Observations.AsSpan().CopyTo(_obs);
        _envs.ActionMasks?.AsSpan().CopyTo(_masks);
        _continuing = Buffer.Step > 0;
    }

    /// <summary>
    /// Marks the collected rollout as used by an update, so a checkpoint taken before the next rollout starts one
    /// rather than repeating this update on resume.
    /// </summary>
    public void RolloutUsed() => Buffer.Clear();

    /// <summary>n-step returns (A2C, A3C): bootstrapped from V(s_T) with the carried LSTM state; advantages R − V(s).</summary>
    public void ComputeNStepReturns(float gamma) => Buffer.ComputeNStepReturns(LastValues(), gamma);

    /// <summary>GAE(λ) advantages and returns (PPO), bootstrapped from V(s_T).</summary>
    public void ComputeGae(float gamma, float lambda) => Buffer.ComputeReturnsAndAdvantages(LastValues(), gamma, lambda);

    /// <summary>
    /// The rollout's observations [size, obs shape] and actions ([size] long for Discrete, [size, A] float for Box) on
    /// the training device, in the buffer's time-major order; call in a dispose scope.
    /// </summary>
    public (Tensor Observations, Tensor Actions) BufferTensors()
    {
        int size = Buffer.Size;
        var observations = tensor(Buffer.Observations).reshape([size, .. _obsShape]).to(_device);
        var actions = _box is null
            ? tensor(Buffer.Actions.Select(a => (long)a).ToArray()).to(_device)
            : tensor(Buffer.Actions).reshape(size, _actionSize).to(_device);
        return (observations, actions);
    }

    /// <summary>The rollout's episode-start flags as floats [size] (1 = the LSTM state resets before that step).</summary>
    public Tensor EpisodeStartsTensor() => tensor(Buffer.EpisodeStarts.Select(s => s ? 1f : 0f).ToArray()).to(_device);

    /// <summary>The rollout's action masks [size, A] (1 = valid) when the envs mask actions, else null.</summary>
    public Tensor? ActionMasksTensor() => Buffer.ActionMasks is { } masks ? PolicyDistribution.MaskTensor(masks, _actorOutputs, _device) : null;

    private float[] LastValues()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (_, v, _, _) = _net.Step(ObservationTensor(_obs, _n), _h, _c, _net.IsRecurrent ? StartsTensor() : null);
        v.cpu().data<float>().CopyTo(_lastValues);
        return _lastValues;
    }

    private void Act()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (actor, value, hn, cn) = _net.Step(ObservationTensor(_obs, _n), _h, _c, _net.IsRecurrent ? StartsTensor() : null);
        actor.cpu().data<float>().CopyTo(_actorHost);
        if (_recordedOutputs is not null) _actorHost.CopyTo(_recordedOutputs, Buffer.Step * _actorHost.Length);
        value.cpu().data<float>().CopyTo(_values);
        if (_net.IsRecurrent) ReplaceState(hn!, cn!);
        for (int i = 0; i < _n; i++)
        {
            var row = _actorHost.AsSpan(i * _actorOutputs, _actorOutputs);
            if (_box is null)
            {
                var valid = _masks is null ? default : _masks.AsSpan(i * _actorOutputs, _actorOutputs);
                _envActions[i] = PolicyDistribution.SampleCategorical(row, _rng, out _logProbs[i], valid);
                _actions[i] = _envActions[i];
            }
            else
            {
                var a = _actions.AsSpan(i * _actionSize, _actionSize);
                _logProbs[i] = PolicyDistribution.SampleGaussian(row, _logStd, _rng, a);
                for (int k = 0; k < _actionSize; k++) _envActionsContinuous[i * _actionSize + k] = Math.Clamp(a[k], _box.Low[k], _box.High[k]);
            }
        }
    }

    /// <summary>Truncated episodes bootstrap from V(final observation), one batched pass over those envs.</summary>
    private void BootstrapTruncated()
    {
        int count = 0;
        for (int i = 0; i < _n; i++) if (_envs.Truncated[i] && !_envs.Terminated[i]) _truncatedRows[count++] = i;
        if (count == 0) return; // the common case: nothing allocated
        var rows = _truncatedRows.AsSpan(0, count).ToArray();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var final = new float[count * _obsSize];
        for (int r = 0; r < count; r++) _envs.FinalObservations.AsSpan(rows[r] * _obsSize, _obsSize).CopyTo(final.AsSpan(r * _obsSize));
        Tensor? h = null, c = null, noReset = null;
        if (_h is not null)
        {
            // The state after the last step already summarizes the episode up to the final observation.
            var idx = tensor(rows.Select(r => (long)r).ToArray()).to(_device);
            (h, c, noReset) = (_h.index_select(1, idx), _c!.index_select(1, idx), zeros(count, device: _device));
        }
        var (_, value, _, _) = _net.Step(ObservationTensor(final, count), h, c, noReset);
        var v = value.cpu().data<float>().ToArray();
        for (int r = 0; r < count; r++) Buffer.SetTruncationValue(rows[r], v[r]);
    }

    private Tensor ObservationTensor(float[] observations, int count)
    {
        var t = tensor(observations).reshape([count, .. _obsShape]);
        return _device.type == DeviceType.CPU ? t : t.to(_device);
    }

    private Tensor StartsTensor()
    {
        for (int i = 0; i < _n; i++) _startFlags[i] = _starts[i] ? 1f : 0f;
        return tensor(_startFlags).to(_device);
    }

    private void ReplaceState(Tensor hn, Tensor cn)
    {
        _h?.Dispose();
        _c?.Dispose();
        _h = hn.DetachFromDisposeScope();
        _c = cn.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in new[] { _h, _c, _h0, _c0 }) t?.Dispose();
    }
}
