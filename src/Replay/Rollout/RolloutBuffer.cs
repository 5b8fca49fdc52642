using DeepRL.Environments;

namespace DeepRL.Replay.Rollout;

/// <summary>
/// On-policy storage for one rollout of <c>numSteps</c> steps of <c>numEnvs</c> parallel envs (PPO, A2C),
/// laid out time-major: entry (t, i) lives at <c>t · numEnvs + i</c>. After the rollout,
/// <see cref="ComputeReturnsAndAdvantages"/> fills GAE(λ) advantages and returns.
/// <para>
/// Episode ends are handled as Gymnasium/SB3 prescribe: a <b>terminated</b> step does not bootstrap;
/// a <b>truncated</b> step (time limit) bootstraps from the value of its final observation, given via
/// <see cref="SetTruncationValue"/>. Either way the advantage recursion stops at the episode boundary,
/// because the next stored step belongs to a new episode.
/// </para>
/// </summary>
public sealed class RolloutBuffer
{
    /// <summary>Storage for <paramref name="numSteps"/> × <paramref name="numEnvs"/> steps; with <paramref name="actionMaskSize"/> &gt; 0 (the number of
    /// discrete actions, when the envs mask actions) the masks of the observations acted on are kept too.</summary>
    public RolloutBuffer(int numSteps, int numEnvs, int observationSize, int actionSize, int actionMaskSize = 0)
    {
        if (numSteps <= 0 || numEnvs <= 0) throw new ArgumentException("A rollout needs at least one step and one env.");
        NumSteps = numSteps;
        NumEnvs = numEnvs;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        AllocationLimit.Check($"A rollout of {numSteps} steps × {numEnvs} envs × {observationSize:N0} observation values",
            (long)numSteps * numEnvs * observationSize, sizeof(float), "lower num_steps or num_envs, or use a smaller observation");
        int n = numSteps * numEnvs;
        Observations = new float[n * observationSize];
        Actions = new float[n * actionSize];
        LogProbs = new float[n];
        Rewards = new float[n];
        Values = new float[n];
        TruncationValues = new float[n];
        Terminated = new bool[n];
        Truncated = new bool[n];
        EpisodeStarts = new bool[n];
        Advantages = new float[n];
        Returns = new float[n];
        ActionMaskSize = actionMaskSize;
        if (actionMaskSize > 0) ActionMasks = new bool[n * actionMaskSize];
    }

    public int NumSteps { get; }

    public int NumEnvs { get; }

    public int ObservationSize { get; }

    /// <summary>1 for discrete actions (stored as float), the action dimension for Box actions.</summary>
    public int ActionSize { get; }

    public int Size => NumSteps * NumEnvs;

    /// <summary>Steps stored so far in this rollout.</summary>
    public int Step { get; private set; }

    public bool IsFull => Step == NumSteps;

    public float[] Observations { get; }

    public float[] Actions { get; }

    public float[] LogProbs { get; }

    public float[] Rewards { get; }

    public float[] Values { get; }

    /// <summary>V(final observation) for truncated entries, 0 elsewhere.</summary>
    public float[] TruncationValues { get; }

    public bool[] Terminated { get; }

    public bool[] Truncated { get; }

    /// <summary>True where the stored observation is the first of an episode (recurrent policies reset there).</summary>
    public bool[] EpisodeStarts { get; }

    public float[] Advantages { get; }

    public float[] Returns { get; }

    /// <summary>Actions per mask row (0 when no masks are stored).</summary>
    public int ActionMaskSize { get; }

    /// <summary>Valid actions at each stored observation, [step · numEnvs + env, action], or null without masks.</summary>
    public bool[]? ActionMasks { get; }

    public void Clear()
    {
        Step = 0;
        Array.Clear(TruncationValues);
    }

    /// <summary>
    /// Stores one vector step: the observations acted on (with their action masks, when the buffer keeps them),
    /// and what came of the actions.
    /// </summary>
    public void Add(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> logProbs, ReadOnlySpan<float> values,
        ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, ReadOnlySpan<bool> episodeStarts,
        ReadOnlySpan<bool> actionMasks = default)
    {
        if (IsFull) throw new InvalidOperationException($"The rollout buffer is full ({NumSteps} steps): compute returns and clear it.");
        int n = NumEnvs, at = Step * n;
        observations[..(n * ObservationSize)].CopyTo(Observations.AsSpan(at * ObservationSize));
        actions[..(n * ActionSize)].CopyTo(Actions.AsSpan(at * ActionSize));
        logProbs[..n].CopyTo(LogProbs.AsSpan(at));
        values[..n].CopyTo(Values.AsSpan(at));
        rewards[..n].CopyTo(Rewards.AsSpan(at));
        terminated[..n].CopyTo(Terminated.AsSpan(at));
        truncated[..n].CopyTo(Truncated.AsSpan(at));
        episodeStarts[..n].CopyTo(EpisodeStarts.AsSpan(at));
        if (ActionMasks is not null)
        {
            if (actionMasks.Length != n * ActionMaskSize)
                throw new ArgumentException($"Expected {n} × {ActionMaskSize} action-mask values, got {actionMasks.Length}.", nameof(actionMasks));
            actionMasks.CopyTo(ActionMasks.AsSpan(at * ActionMaskSize));
        }
        Step++;
    }

    /// <summary>
    /// The steps stored so far (a rollout interrupted by a checkpoint), so a resumed run completes the same rollout.
    /// Advantages and returns are not saved: they are computed from these once the rollout is full.
    /// </summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(Step);
        int entries = Step * NumEnvs;
        writer.WriteArray<float>(Observations.AsSpan(0, entries * ObservationSize));
        writer.WriteArray<float>(Actions.AsSpan(0, entries * ActionSize));
        foreach (var values in (float[][])[LogProbs, Rewards, Values, TruncationValues]) writer.WriteArray<float>(values.AsSpan(0, entries));
        foreach (var flags in (bool[][])[Terminated, Truncated, EpisodeStarts]) writer.WriteArray<bool>(flags.AsSpan(0, entries));
        writer.WriteArray<bool>(ActionMasks is null ? [] : ActionMasks.AsSpan(0, entries * ActionMaskSize));
    }

    public void LoadState(BinaryReader reader)
    {
        int step = reader.ReadInt32();
        if (step < 0 || step > NumSteps) throw new InvalidDataException($"A saved rollout holds {step} steps; this rollout has room for {NumSteps}.");
        Clear();
        Step = step;
        int entries = Step * NumEnvs;
        reader.ReadArray<float>(Observations.AsSpan(0, entries * ObservationSize));
        reader.ReadArray<float>(Actions.AsSpan(0, entries * ActionSize));
        foreach (var values in (float[][])[LogProbs, Rewards, Values, TruncationValues]) reader.ReadArray<float>(values.AsSpan(0, entries));
        foreach (var flags in (bool[][])[Terminated, Truncated, EpisodeStarts]) reader.ReadArray<bool>(flags.AsSpan(0, entries));
        reader.ReadArray<bool>(ActionMasks is null ? [] : ActionMasks.AsSpan(0, entries * ActionMaskSize));
    }

    /// <summary>Records V(final observation) of env <paramref name="env"/> at the step just added, which was truncated.</summary>
    public void SetTruncationValue(int env, float value) => TruncationValues[(Step - 1) * NumEnvs + env] = value;

    /// <summary>
    /// GAE(λ) (Schulman et al. 2016): δ_t = r_t + γ·V(s_{t+1})·(1 − done_t) − V(s_t), A_t = δ_t + γλ(1 − done_t)·A_{t+1},
    /// where truncated steps add γ·V(final observation) to r_t. <paramref name="lastValues"/> is V of the
    /// observations after the last step (ignored for envs whose last step ended an episode). Returns = A + V.
    /// </summary>
    public void ComputeReturnsAndAdvantages(ReadOnlySpan<float> lastValues, float gamma, float lambda)
    {
        if (!IsFull) throw new InvalidOperationException($"The rollout holds {Step} of {NumSteps} steps.");
        int n = NumEnvs;
        for (int i = 0; i < n; i++)
        {
            float nextAdvantage = 0;
            for (int t = NumSteps - 1; t >= 0; t--)
            {
                int k = t * n + i;
                bool done = Terminated[k] || Truncated[k];
                float nextValue = t == NumSteps - 1 ? lastValues[i] : Values[k + n];
                float reward = Rewards[k] + (Truncated[k] && !Terminated[k] ? gamma * TruncationValues[k] : 0f);
                float continues = done ? 0f : 1f;
                float delta = reward + gamma * nextValue * continues - Values[k];
                nextAdvantage = delta + gamma * lambda * continues * nextAdvantage;
                Advantages[k] = nextAdvantage;
                Returns[k] = nextAdvantage + Values[k];
            }
        }
    }

    /// <summary>
    /// n-step returns as A2C/A3C use them (Mnih et al. 2016): walking back from the end of the rollout,
    /// R = r + γR', where R' is V(s_T) (<paramref name="lastValues"/>) after the last step, 0 after a
    /// termination, and V(final observation) (<see cref="SetTruncationValue"/>) after a truncation.
    /// Advantages are R − V(s). Equal to GAE with λ = 1, computed directly.
    /// </summary>
    public void ComputeNStepReturns(ReadOnlySpan<float> lastValues, float gamma)
    {
        if (!IsFull) throw new InvalidOperationException($"The rollout holds {Step} of {NumSteps} steps.");
        int n = NumEnvs;
        for (int i = 0; i < n; i++)
        {
            float next = lastValues[i];
            for (int t = NumSteps - 1; t >= 0; t--)
            {
                int k = t * n + i;
                if (Terminated[k]) next = 0f;
                else if (Truncated[k]) next = TruncationValues[k];
                next = Rewards[k] + gamma * next;
                Returns[k] = next;
                Advantages[k] = next - Values[k];
            }
        }
    }

    /// <summary>Shuffled minibatches of flat indices (non-recurrent PPO).</summary>
    public IEnumerable<int[]> Minibatches(int minibatchSize, Rng rng)
    {
        var order = Permutation(Size, rng);
        for (int start = 0; start < Size; start += minibatchSize)
            yield return order[start..Math.Min(Size, start + minibatchSize)];
    }

    /// <summary>
    /// Shuffled minibatches of whole env sequences for recurrent policies: each batch is a set of env
    /// columns, every one with all <see cref="NumSteps"/> steps in order, so hidden states replay intact.
    /// </summary>
    public IEnumerable<int[]> EnvMinibatches(int envsPerBatch, Rng rng)
    {
        if (envsPerBatch <= 0 || envsPerBatch > NumEnvs)
            throw new ArgumentOutOfRangeException(nameof(envsPerBatch), envsPerBatch, $"Envs per minibatch must be in [1, {NumEnvs}].");
        var order = Permutation(NumEnvs, rng);
        for (int start = 0; start < NumEnvs; start += envsPerBatch)
            yield return order[start..Math.Min(NumEnvs, start + envsPerBatch)];
    }

    private static int[] Permutation(int n, Rng rng)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
