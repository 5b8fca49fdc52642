namespace DeepRL.Environments.Wrappers;

/// <summary>
/// Scales rewards so the discounted return has roughly unit variance (Gymnasium's NormalizeReward):
/// keeps a running discounted return, tracks its variance, and divides each reward by its std.
/// </summary>
public sealed class NormalizeReward : Wrapper, ISnapshotable
{
    private readonly double _gamma;
    private readonly double _epsilon;
    private double _discountedReturn;

    public NormalizeReward(IEnvironment inner, double gamma = 0.99, double epsilon = 1e-8) : base(inner)
    {
        if (gamma is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be in [0, 1].");
        _gamma = gamma;
        _epsilon = epsilon;
    }

    public RunningMeanStd Statistics { get; } = new(1);

    public bool UpdateStatistics { get; set; } = true;

    public override ResetResult Reset(int? seed = null)
    {
        _discountedReturn = 0;
        return Inner.Reset(seed);
    }

    public override StepResult Step(EnvAction action)
    {
        var r = Inner.Step(action);
        _discountedReturn = _discountedReturn * _gamma + r.Reward;
        if (UpdateStatistics) Statistics.Update(_discountedReturn);
        if (r.Terminated) _discountedReturn = 0;
        return r with { Reward = (float)(r.Reward / Math.Sqrt(Statistics.Var[0] + _epsilon)) };
    }

    public void SaveState(BinaryWriter writer)
    {
        Statistics.SaveState(writer);
        writer.Write(UpdateStatistics);
        writer.Write(_discountedReturn);
    }

    public void LoadState(BinaryReader reader)
    {
        Statistics.LoadState(reader);
        UpdateStatistics = reader.ReadBoolean();
        _discountedReturn = reader.ReadDouble();
    }
}
