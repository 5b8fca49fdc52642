namespace DeepRL.Environments.Wrappers;

/// <summary>Truncates an episode after <c>maxEpisodeSteps</c> steps (unless it terminated on that step).</summary>
public sealed class TimeLimit : Wrapper, ISnapshotable, IValidOutputs
{
    private int _elapsed;

    public TimeLimit(IEnvironment inner, int maxEpisodeSteps) : base(inner)
    {
        if (maxEpisodeSteps <= 0) throw new ArgumentOutOfRangeException(nameof(maxEpisodeSteps), maxEpisodeSteps, "The time limit must be positive.");
        MaxEpisodeSteps = maxEpisodeSteps;
    }

    public int MaxEpisodeSteps { get; }

    /// <summary>Observations and rewards pass through unchanged.</summary>
    public bool OutputsValidByConstruction => ValidOutputs.Of(Inner);

    public int ElapsedSteps => _elapsed;

    public override ResetResult Reset(int? seed = null)
    {
        _elapsed = 0;
        return Inner.Reset(seed);
    }

    public override StepResult Step(EnvAction action)
    {
        var r = Inner.Step(action);
        _elapsed++;
        return _elapsed >= MaxEpisodeSteps && !r.Truncated ? r with { Truncated = true } : r;
    }

    public void SaveState(BinaryWriter writer) => writer.Write(_elapsed);

    public void LoadState(BinaryReader reader) => _elapsed = reader.ReadInt32();
}
