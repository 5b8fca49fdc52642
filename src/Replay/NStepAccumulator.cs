using DeepRL.Environments;

namespace DeepRL.Replay;

/// <summary>
/// Turns a stream of 1-step transitions from one environment into n-step transitions
/// (Sutton &amp; Barto ch. 7): R = Σ γᵏ r_{t+k} for up to n steps, bootstrapping from the observation n steps
/// later with γⁿ. A terminated episode flushes its tail with discount 0 (no bootstrap); a truncated one
/// flushes its tail bootstrapping from the final observation with γᵐ, m being the steps actually summed.
/// Emitted transitions go straight into the replay buffer; nothing is allocated per step.
/// </summary>
public sealed class NStepAccumulator
{
    private readonly int _n;
    private readonly float _gamma;
    private readonly int _obsSize;
    private readonly float[] _obs;
    private readonly int[] _actions;
    private readonly float[] _rewards;
    private int _start;
    private int _count;

    public NStepAccumulator(int n, float gamma, int obsSize)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n_steps must be at least 1.");
        _n = n;
        _gamma = gamma;
        _obsSize = obsSize;
        _obs = new float[n * obsSize];
        _actions = new int[n];
        _rewards = new float[n];
    }

    public int Pending => _count;

    /// <summary>
    /// Adds the transition (obs, action, reward → nextObs). <paramref name="nextObservation"/> must be the
    /// true next observation (the final one when the episode ended, not the auto-reset one);
    /// <paramref name="nextActionMask"/> its valid actions when the env masks actions.
    /// </summary>
    public void Add(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation,
        bool terminated, bool truncated, ReplayBuffer buffer, ReadOnlySpan<bool> nextActionMask = default)
    {
        int slot = (_start + _count) % _n;
        observation.CopyTo(_obs.AsSpan(slot * _obsSize, _obsSize));
        _actions[slot] = action;
        _rewards[slot] = reward;
        _count++;

        if (terminated || truncated)
        {
            while (_count > 0) EmitOldest(nextObservation, nextActionMask, terminated, buffer);
            _start = 0;
        }
        else if (_count == _n)
        {
            EmitOldest(nextObservation, nextActionMask, false, buffer);
        }
    }

    /// <summary>Drops pending steps without emitting them (e.g. when a run is reset).</summary>
    public void Clear()
    {
        _start = 0;
        _count = 0;
    }

    /// <summary>The pending steps (checkpoints for exact resume; replay buffers save only emitted transitions).</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_start);
        writer.Write(_count);
        writer.WriteArray<float>(_obs);
        writer.WriteArray<int>(_actions);
        writer.WriteArray<float>(_rewards);
    }

    public void LoadState(BinaryReader reader)
    {
        (_start, _count) = (reader.ReadInt32(), reader.ReadInt32());
        if ((uint)_start >= (uint)_n || (uint)_count > (uint)_n)
            throw new InvalidDataException($"Saved n-step state is inconsistent (start {_start}, pending {_count}, n {_n}).");
        reader.ReadArray<float>(_obs);
        reader.ReadArray<int>(_actions);
        reader.ReadArray<float>(_rewards);
    }

    private void EmitOldest(ReadOnlySpan<float> bootstrapObservation, ReadOnlySpan<bool> bootstrapMask, bool terminated, ReplayBuffer buffer)
    {
        float ret = 0, discount = 1;
        for (int k = 0; k < _count; k++)
        {
            ret += discount * _rewards[(_start + k) % _n];
            discount *= _gamma;
        }
        var obs = _obs.AsSpan(_start * _obsSize, _obsSize);
        buffer.Add(new Transition(obs, _actions[_start], ret, bootstrapObservation, terminated ? 0f : discount, bootstrapMask));
        _start = (_start + 1) % _n;
        _count--;
    }
}
