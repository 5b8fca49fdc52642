using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Vector;

/// <summary>
/// Shared bookkeeping for vector environments: output arrays, action validation, episode statistics,
/// and running the per-env work either on the calling thread or split across worker threads.
/// Subclasses implement <see cref="ResetRange"/> and <see cref="StepRange"/> for a slice of envs.
/// </summary>
public abstract class VectorEnvironment : IVectorEnvironment, ISnapshotable
{
    private readonly ParallelRanges _stepRunner;
    private readonly ParallelRanges _resetRunner;
    private int? _resetSeed;

    protected VectorEnvironment(int numEnvs, Box observationSpace, Space actionSpace, int threads, bool masksActions = false)
    {
        if (numEnvs <= 0) throw new ArgumentOutOfRangeException(nameof(numEnvs), numEnvs, "A vector env needs at least one env.");
        NumEnvs = numEnvs;
        SingleObservationSpace = observationSpace;
        SingleActionSpace = actionSpace;
        ObsSize = observationSpace.FlatSize;
        ActionSize = actionSpace is Box b ? b.FlatSize : 1;
        Observations = new float[numEnvs * ObsSize];
        FinalObservations = new float[numEnvs * ObsSize];
        Rewards = new float[numEnvs];
        Terminated = new bool[numEnvs];
        Truncated = new bool[numEnvs];
        HasFinalObservation = new bool[numEnvs];
        FinishedEpisodeReturns = new double[numEnvs];
        FinishedEpisodeLengths = new int[numEnvs];
        RunningReturns = new double[numEnvs];
        RunningLengths = new int[numEnvs];
        DiscreteActions = new int[numEnvs];
        ContinuousActions = new float[numEnvs * ActionSize];
        if (masksActions && actionSpace is Discrete discrete)
        {
            ActionMasks = new bool[numEnvs * discrete.N];
            FinalActionMasks = new bool[numEnvs * discrete.N];
        }
        // Each range checks what it produced on the thread that stepped it: the checks run in parallel and read
        // rows that are still in that core's cache.
        _stepRunner = new ParallelRanges(numEnvs, threads, (s, e) =>
        {
            StepRange(s, e);
            CheckRange(s, e, afterStep: true);
        });
        _resetRunner = new ParallelRanges(numEnvs, threads, (s, e) =>
        {
            ResetRange(s, e, _resetSeed);
            CheckRange(s, e, afterStep: false);
        });
    }

    public int NumEnvs { get; }

    public int Threads => _stepRunner.Threads;

    public Box SingleObservationSpace { get; }

    public Space SingleActionSpace { get; }

    public abstract EnvSpec? Spec { get; }

    public float[] Observations { get; }

    public float[] Rewards { get; }

    public bool[] Terminated { get; }

    public bool[] Truncated { get; }

    public float[] FinalObservations { get; }

    public bool[] HasFinalObservation { get; }

    public double[] FinishedEpisodeReturns { get; }

    public int[] FinishedEpisodeLengths { get; }

    public bool[]? ActionMasks { get; }

    public bool[]? FinalActionMasks { get; }

    protected int ObsSize { get; }

    protected int ActionSize { get; }

    protected int[] DiscreteActions { get; }

    protected float[] ContinuousActions { get; }

    protected bool ActionsAreContinuous { get; private set; }

    protected double[] RunningReturns { get; }

    protected int[] RunningLengths { get; }

    public void Reset(int? seed = null)
    {
        _resetSeed = seed;
        Array.Clear(RunningReturns);
        Array.Clear(RunningLengths);
        Array.Clear(HasFinalObservation);
        Array.Clear(Terminated);
        Array.Clear(Truncated);
        Array.Clear(Rewards);
        _resetRunner.Run();
    }

    public void Step(ReadOnlySpan<int> actions)
    {
        if (SingleActionSpace is not Discrete d)
            throw new InvalidOperationException($"This vector env has continuous actions {SingleActionSpace}; pass floats.");
        if (actions.Length != NumEnvs)
            throw new ArgumentException($"Expected {NumEnvs} actions (one per env), got {actions.Length}.", nameof(actions));
        for (int i = 0; i < actions.Length; i++)
        {
            if ((uint)actions[i] >= (uint)d.N)
                throw new ArgumentOutOfRangeException(nameof(actions), actions[i], $"Action for env {i} must be in [0, {d.N - 1}].");
        }
        if (ActionMasks is { } masks) CheckActionsAllowed(actions, masks, d.N);
        actions.CopyTo(DiscreteActions);
        ActionsAreContinuous = false;
        _stepRunner.Run();
    }

    private static void CheckActionsAllowed(ReadOnlySpan<int> actions, bool[] masks, int n)
    {
        for (int i = 0; i < actions.Length; i++)
        {
            // A row with no valid action belongs to a terminal state; the env itself then decides.
            if (!masks[i * n + actions[i]] && !ActionMask.NoneValid(MaskRow(masks, i, n)))
                throw new InvalidActionException($"Action {actions[i]} for env {i} is masked out in its current state (valid actions: " +
                                                 $"{ActionMask.Describe(MaskRow(masks, i, n))}); choose among the valid ones.");
        }
    }

    public void Step(ReadOnlySpan<float> actions)
    {
        if (SingleActionSpace is not Box)
            throw new InvalidOperationException($"This vector env has discrete actions {SingleActionSpace}; pass ints.");
        if (actions.Length != NumEnvs * ActionSize)
            throw new ArgumentException($"Expected {NumEnvs}×{ActionSize} action values, got {actions.Length}.", nameof(actions));
        actions.CopyTo(ContinuousActions);
        ActionsAreContinuous = true;
        _stepRunner.Run();
    }

    /// <summary>
    /// What a step or reset produced for envs [start, end), checked before an agent can learn from it. A NaN or ∞
    /// reward or observation (final observations included: they are bootstrapped from) would silently poison training
    /// (weights turn NaN and the run still "completes"); an observation outside the declared space breaks networks and
    /// replay storage that trust it (uint8 planes, normalizers); a state with no valid action has no policy to sample
    /// (its masked logits are all −∞). Each stops the step with a message naming the env, its episode step and the fix.
    /// Unless the subclass checked each observation as it wrote it, the observations of the whole range are checked in
    /// one vectorized pass, and the final observations of envs that finished an episode; rewards are checked as
    /// <see cref="Record"/> stores them.
    /// </summary>
    private void CheckRange(int start, int end, bool afterStep)
    {
        var space = SingleObservationSpace;
        bool checkedAsWritten = ChecksObservationsAsWritten;
        if (afterStep && !checkedAsWritten)
        {
            for (int i = start; i < end; i++)
            {
                if (HasFinalObservation[i] && space.FirstInvalid(FinalObservationRow(i)) is int k and >= 0)
                    throw InvalidObservation(FinalObservations, i, k, "Step", FinishedEpisodeLengths[i], "final observation");
            }
        }
        int bad = checkedAsWritten ? -1 : space.FirstInvalid(Observations.AsSpan(start * ObsSize, (end - start) * ObsSize));
        if (bad >= 0)
        {
            int i = start + bad / ObsSize;
            // An env whose episode ended was reset inside this step: its observation came from Reset().
            bool fromReset = !afterStep || HasFinalObservation[i];
            throw InvalidObservation(Observations, i, bad % ObsSize, fromReset ? "Reset" : "Step", fromReset ? 0 : RunningLengths[i], "observation");
        }
        CheckSomeActionValid(start, end);
    }

    /// <summary>
    /// True when <see cref="StepRange"/> and <see cref="ResetRange"/> check every observation they write (final ones
    /// included) with <see cref="Box.FirstInvalid"/>, throwing <see cref="InvalidObservation"/>; the batch pass is then skipped.
    /// </summary>
    protected virtual bool ChecksObservationsAsWritten => false;

    /// <summary>The error for value <paramref name="index"/> of env <paramref name="env"/>'s row: non-finite, or outside the space.</summary>
    protected Exception InvalidObservation(float[] rows, int env, int index, string call, int step, string what)
    {
        float value = rows[env * ObsSize + index];
        if (!float.IsFinite(value))
            return new NonFiniteValueException($"{EnvName} returned a non-finite {what} ({value} at index {index}) in env {env} at step {step} of its episode; check the environment's observation computation.");
        var space = SingleObservationSpace;
        return new EnvironmentException($"{Spec?.Id ?? "The environment"}.{call}() returned an observation outside its observation space: " +
                                        $"value {value} at index {index} is not in [{space.Low[index]}, {space.High[index]}] (env {env}, step {step} of its episode). " +
                                        "Clip the observation into the space, or declare wider bounds.");
    }

    /// <summary>Every state an agent must act in (the current observations, after auto-resets) needs a valid action.</summary>
    private void CheckSomeActionValid(int start, int end)
    {
        if (ActionMasks is not { } masks || SingleActionSpace is not Discrete d) return;
        for (int i = start; i < end; i++)
        {
            if (!ActionMask.NoneValid(MaskRow(masks, i, d.N))) continue;
            int step = HasFinalObservation[i] ? 0 : RunningLengths[i];
            throw new InvalidActionException($"{EnvName} marks no action valid in env {i} at step {step} of its episode, a state that has not ended: " +
                                             "no policy can act there. End the episode (terminated) in such states, or mark at least one action valid.");
        }
    }

    private string EnvName => Spec?.Id is string id ? $"Environment {id}" : "The environment";

    /// <summary>Resets envs [start, end) and writes their observations; env i gets <c>seed + i</c> when seeded.</summary>
    protected abstract void ResetRange(int start, int end, int? seed);

    /// <summary>Steps envs [start, end) with the stored actions, auto-resetting finished ones.</summary>
    protected abstract void StepRange(int start, int end);

    /// <summary>Records reward and episode bookkeeping for env i; returns true when its episode ended.</summary>
    protected bool Record(int i, float reward, bool terminated, bool truncated)
    {
        // Checked here, while the reward is in a register: a NaN or ∞ reward poisons training silently.
        if (!float.IsFinite(reward)) throw NonFiniteReward(i, reward);
        Rewards[i] = reward;
        Terminated[i] = terminated;
        Truncated[i] = truncated;
        RunningReturns[i] += reward;
        RunningLengths[i]++;
        bool done = terminated || truncated;
        HasFinalObservation[i] = done;
        if (done)
        {
            FinishedEpisodeReturns[i] = RunningReturns[i];
            FinishedEpisodeLengths[i] = RunningLengths[i];
            RunningReturns[i] = 0;
            RunningLengths[i] = 0;
        }
        return done;
    }

    // Kept out of Record so that Record stays small enough to inline into each subclass's step loop.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private NonFiniteValueException NonFiniteReward(int i, float reward) =>
        new($"{EnvName} returned a non-finite reward ({reward}) in env {i} at step {RunningLengths[i] + 1} of its episode; check the environment's reward computation.");

    /// <inheritdoc/>
    public virtual string? SnapshotBlocker => null;

    /// <summary>
    /// The step outputs, the episodes in progress (running returns and lengths) and every env's own state: a vector
    /// env loaded from this continues with the same observations, episodes and random draws.
    /// </summary>
    public void SaveState(BinaryWriter writer)
    {
        if (SnapshotBlocker is string blocker) throw new NotSupportedException($"{blocker} cannot save its state.");
        writer.Write(NumEnvs);
        writer.WriteArray<float>(Observations);
        writer.WriteArray<float>(FinalObservations);
        writer.WriteArray<float>(Rewards);
        writer.WriteArray<bool>(Terminated);
        writer.WriteArray<bool>(Truncated);
        writer.WriteArray<bool>(HasFinalObservation);
        writer.WriteArray<double>(FinishedEpisodeReturns);
        writer.WriteArray<int>(FinishedEpisodeLengths);
        writer.WriteArray<double>(RunningReturns);
        writer.WriteArray<int>(RunningLengths);
        writer.WriteArray<bool>(ActionMasks ?? []);
        writer.WriteArray<bool>(FinalActionMasks ?? []);
        SaveEnvStates(writer);
    }

    public void LoadState(BinaryReader reader)
    {
        int saved = reader.ReadInt32();
        if (saved != NumEnvs) throw new InvalidDataException($"The saved vector env state has {saved} envs; this vector env has {NumEnvs}.");
        reader.ReadArray<float>(Observations);
        reader.ReadArray<float>(FinalObservations);
        reader.ReadArray<float>(Rewards);
        reader.ReadArray<bool>(Terminated);
        reader.ReadArray<bool>(Truncated);
        reader.ReadArray<bool>(HasFinalObservation);
        reader.ReadArray<double>(FinishedEpisodeReturns);
        reader.ReadArray<int>(FinishedEpisodeLengths);
        reader.ReadArray<double>(RunningReturns);
        reader.ReadArray<int>(RunningLengths);
        reader.ReadArray<bool>(ActionMasks ?? []);
        reader.ReadArray<bool>(FinalActionMasks ?? []);
        LoadEnvStates(reader);
    }

    /// <summary>Writes the state of every env (what <see cref="StepRange"/> reads besides the arrays above).</summary>
    protected abstract void SaveEnvStates(BinaryWriter writer);

    protected abstract void LoadEnvStates(BinaryReader reader);

    private static Span<bool> MaskRow(bool[] masks, int i, int n) => masks.AsSpan(i * n, n);

    /// <summary>Row i of <see cref="ActionMasks"/> (empty when the env does not mask actions).</summary>
    protected Span<bool> ActionMaskRow(int i) => ActionMasks is { } m ? MaskRow(m, i, m.Length / NumEnvs) : default;

    protected Span<bool> FinalActionMaskRow(int i) => FinalActionMasks is { } m ? MaskRow(m, i, m.Length / NumEnvs) : default;

    protected Span<float> ObservationRow(int i) => Observations.AsSpan(i * ObsSize, ObsSize);

    protected Span<float> FinalObservationRow(int i) => FinalObservations.AsSpan(i * ObsSize, ObsSize);

    public virtual void Dispose()
    {
        _stepRunner.Dispose();
        _resetRunner.Dispose();
        GC.SuppressFinalize(this);
    }
}
