namespace DeepRL.Environments.Vector;

/// <summary>A vector environment over independent <see cref="IEnvironment"/> instances.</summary>
public abstract class EnvListVectorEnv : VectorEnvironment
{
    private readonly IEnvironment[] _envs;
    private readonly ReadOnlyMemory<float>[] _actionRows;
    private readonly IActionMasking?[] _maskers;

    protected EnvListVectorEnv(IReadOnlyList<IEnvironment> envs, int threads)
        : base(envs.Count, envs[0].ObservationSpace, envs[0].ActionSpace, threads, masksActions: envs.All(e => ActionMask.Of(e) is not null))
    {
        _envs = envs.ToArray();
        _maskers = _envs.Select(ActionMask.Of).ToArray();
        if (_envs.Any(e => e.ObservationSpace.FlatSize != ObsSize))
            throw new ArgumentException("Every env of a vector env needs the same observation space.");
        _actionRows = new ReadOnlyMemory<float>[_envs.Length];
        for (int i = 0; i < _envs.Length; i++) _actionRows[i] = ContinuousActions.AsMemory(i * ActionSize, ActionSize);
    }

    public IReadOnlyList<IEnvironment> Envs => _envs;

    public override EnvSpec? Spec => _envs[0].Spec;

    protected override void ResetRange(int start, int end, int? seed)
    {
        for (int i = start; i < end; i++)
        {
            var r = _envs[i].Reset(seed is int s ? s + i : null);
            CheckLength(r.Observation, i, "Reset");
            r.Observation.AsSpan().CopyTo(ObservationRow(i));
            _maskers[i]?.WriteActionMask(ActionMaskRow(i));
        }
    }

    protected override void StepRange(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            EnvAction action = ActionsAreContinuous ? new EnvAction(_actionRows[i]) : new EnvAction(DiscreteActions[i]);
            var r = _envs[i].Step(action);
            CheckLength(r.Observation, i, "Step");
            if (Record(i, r.Reward, r.Terminated, r.Truncated))
            {
                r.Observation.AsSpan().CopyTo(FinalObservationRow(i));
                _maskers[i]?.WriteActionMask(FinalActionMaskRow(i));
                var reset = _envs[i].Reset().Observation;
                CheckLength(reset, i, "Reset");
                reset.AsSpan().CopyTo(ObservationRow(i));
            }
            else
            {
                r.Observation.AsSpan().CopyTo(ObservationRow(i));
            }
            _maskers[i]?.WriteActionMask(ActionMaskRow(i));
        }
    }

    /// <summary>
    /// An observation of the wrong size would be copied partially or overflow into the next env's row. (Values — finite,
    /// inside the declared bounds — are checked for the whole batch at once by <see cref="VectorEnvironment"/>.)
    /// </summary>
    private void CheckLength(float[] observation, int i, string call)
    {
        if (observation.Length == ObsSize) return;
        int step = RunningLengths[i] + (call == "Step" ? 1 : 0);
        throw new EnvironmentException($"{_envs[i].Spec?.Id ?? "The environment"}.{call}() returned an observation of {observation.Length} values, " +
                                       $"but its observation space {_envs[i].ObservationSpace} has {ObsSize} (env {i}, step {step} of its episode). " +
                                       "Make the observation match the declared space.");
    }

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
