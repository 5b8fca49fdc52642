using System.Runtime.CompilerServices;

namespace DeepRL.Environments.Vector;

/// <summary>A vector environment over independent <see cref="IEnvironment"/> instances.</summary>
public abstract class EnvListVectorEnv : VectorEnvironment
{
    private readonly IEnvironment[] _envs;
    private readonly ReadOnlyMemory<float>[] _actionRows;
    private readonly IActionMasking?[] _maskers;
    private readonly bool _outputsValid;

    protected EnvListVectorEnv(IReadOnlyList<IEnvironment> envs, int threads)
        : base(envs.Count, envs[0].ObservationSpace, envs[0].ActionSpace, threads, masksActions: envs.All(e => ActionMask.Of(e) is not null))
    {
        _envs = envs.ToArray();
        _maskers = _envs.Select(ActionMask.Of).ToArray();
        // Masks are written and checked in the checked loop: the unchecked one is for plain, small envs.
        _outputsValid = _envs.All(ValidOutputs.Of) && _maskers.All(m => m is null);
        if (_envs.Any(e => e.ObservationSpace.FlatSize != ObsSize))
            throw new ArgumentException("Every env of a vector env needs the same observation space.");
        _actionRows = new ReadOnlyMemory<float>[_envs.Length];
        for (int i = 0; i < _envs.Length; i++) _actionRows[i] = ContinuousActions.AsMemory(i * ActionSize, ActionSize);
    }

    public IReadOnlyList<IEnvironment> Envs => _envs;

    public override EnvSpec? Spec => _envs[0].Spec;

    // Each observation is checked (finite, inside the space) right after it is copied into its row, while the row is
    // in this core's L1 cache: a pass over the whole batch afterwards would read it back from memory. Envs whose
    // outputs are valid by construction (IValidOutputs) need no check at all.
    protected override bool ChecksObservationsAsWritten => true;

    /// <summary>True when every env guarantees valid observations and rewards, so steps are copied without checks.</summary>
    public bool SkipsOutputChecks => _outputsValid;

    protected override void ResetRange(int start, int end, int? seed)
    {
        for (int i = start; i < end; i++)
        {
            Write(_envs[i].Reset(seed is int s ? s + i : null).Observation, Observations, i, "Reset", 0, "observation");
            _maskers[i]?.WriteActionMask(ActionMaskRow(i));
        }
    }

    protected override void StepRange(int start, int end)
    {
        if (_outputsValid) StepTrustedRange(start, end);
        else StepCheckedRange(start, end);
    }

    /// <summary>
    /// Plain copies for envs that guarantee their outputs: a one-hot gridworld steps in ≈20 ns, so even a cheap check per
    /// env and the call to it cost a vector env a sizeable share of its throughput.
    /// </summary>
    private void StepTrustedRange(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            EnvAction action = ActionsAreContinuous ? new EnvAction(_actionRows[i]) : new EnvAction(DiscreteActions[i]);
            var r = _envs[i].Step(action);
            if (Record(i, r.Reward, r.Terminated, r.Truncated))
            {
                r.Observation.AsSpan().CopyTo(FinalObservationRow(i));
                _envs[i].Reset().Observation.AsSpan().CopyTo(ObservationRow(i));
            }
            else
            {
                r.Observation.AsSpan().CopyTo(ObservationRow(i));
            }
        }
    }

    private void StepCheckedRange(int start, int end)
    {
        // The loop stays small, its rare paths (episode ends, errors) in other methods, its fields hoisted: with hundreds of
        // small envs per step, per-env fixed cost is what a vector env adds.
        var envs = _envs;
        var discrete = DiscreteActions;
        var observations = Observations;
        bool continuous = ActionsAreContinuous, masks = ActionMasks is not null;
        for (int i = start; i < end; i++)
        {
            // A local, not a conditional inside the call: the JIT then keeps the action in registers (≈10% of a small env's step).
            EnvAction action = continuous ? new EnvAction(_actionRows[i]) : new EnvAction(discrete[i]);
            var r = envs[i].Step(action);
            if (Record(i, r.Reward, r.Terminated, r.Truncated)) EpisodeEnded(i, r.Observation);
            else Write(r.Observation, observations, i, "Step", RunningLengths[i], "observation");
            if (masks) _maskers[i]!.WriteActionMask(ActionMaskRow(i));
        }
    }

    /// <summary>Env <paramref name="i"/> finished an episode: keep its final observation (and mask), then reset it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EpisodeEnded(int i, float[] finalObservation)
    {
        Write(finalObservation, FinalObservations, i, "Step", FinishedEpisodeLengths[i], "final observation");
        if (ActionMasks is not null) _maskers[i]!.WriteActionMask(FinalActionMaskRow(i));
        Write(_envs[i].Reset().Observation, Observations, i, "Reset", 0, "observation");
    }

    /// <summary>
    /// Copies env <paramref name="i"/>'s observation into its row of <paramref name="rows"/> and checks it there. An
    /// observation of the wrong size would be copied partially or overflow into the next env's row.
    /// </summary>
    private void Write(float[] observation, float[] rows, int i, string call, int step, string what)
    {
        if (observation.Length != ObsSize) throw WrongSize(observation, i, call, step);
        int bad = SingleObservationSpace.CopyChecked(observation, rows.AsSpan(i * ObsSize, ObsSize));
        if (bad >= 0) throw InvalidObservation(rows, i, bad, call, step, what);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private EnvironmentException WrongSize(float[] observation, int i, string call, int step) =>
        new($"{_envs[i].Spec?.Id ?? "The environment"}.{call}() returned an observation of {observation.Length} values, " +
            $"but its observation space {_envs[i].ObservationSpace} has {ObsSize} (env {i}, step {step} of its episode). " +
            "Make the observation match the declared space.");

    public override string? SnapshotBlocker => EnvSnapshots.Blocker(_envs[0]);

    protected override void SaveEnvStates(BinaryWriter writer)
    {
        foreach (var env in _envs) EnvSnapshots.Save(env, writer);
    }

    protected override void LoadEnvStates(BinaryReader reader)
    {
        foreach (var env in _envs) EnvSnapshots.Load(env, reader);
    }

    public override void Dispose()
    {
        base.Dispose();
        foreach (var e in _envs) e.Dispose();
    }
}

/// <summary>Steps its envs one after another on the calling thread.</summary>
public sealed class SyncVectorEnv : EnvListVectorEnv
{
    public SyncVectorEnv(IReadOnlyList<IEnvironment> envs) : base(envs, threads: 1)
    {
    }
}

/// <summary>Steps its envs in parallel: contiguous slices on <c>threads</c> long-lived threads.</summary>
public sealed class ThreadedVectorEnv : EnvListVectorEnv
{
    public ThreadedVectorEnv(IReadOnlyList<IEnvironment> envs, int threads = 0)
        : base(envs, threads <= 0 ? Environment.ProcessorCount : threads)
    {
    }
}
