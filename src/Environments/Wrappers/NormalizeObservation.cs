using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Wrappers;

/// <summary>
/// Normalizes observations to roughly zero mean and unit variance with running statistics
/// (updated while <see cref="UpdateStatistics"/> is true; freeze them for evaluation).
/// </summary>
public sealed class NormalizeObservation : Wrapper, ISnapshotable
{
    private readonly float[] _normalized;
    private readonly double _epsilon;

    public NormalizeObservation(IEnvironment inner, double epsilon = 1e-8) : base(inner)
    {
        _epsilon = epsilon;
        int size = inner.ObservationSpace.FlatSize;
        Statistics = new RunningMeanStd(size);
        _normalized = new float[size];
        ObservationSpace = new Box(inner.ObservationSpace.Shape, float.NegativeInfinity, float.PositiveInfinity);
    }

    public RunningMeanStd Statistics { get; }

    public bool UpdateStatistics { get; set; } = true;

    public override Box ObservationSpace { get; }

    public override ResetResult Reset(int? seed = null)
    {
        var r = Inner.Reset(seed);
        return r with { Observation = Normalize(r.Observation) };
    }

    public override StepResult Step(EnvAction action)
    {
        var r = Inner.Step(action);
        return r with { Observation = Normalize(r.Observation) };
    }

    private float[] Normalize(float[] obs)
    {
        if (UpdateStatistics) Statistics.Update(obs);
        for (int i = 0; i < obs.Length; i++)
            _normalized[i] = (float)((obs[i] - Statistics.Mean[i]) / Math.Sqrt(Statistics.Var[i] + _epsilon));
        return _normalized;
    }

    public void SaveState(BinaryWriter writer)
    {
        Statistics.SaveState(writer);
        writer.Write(UpdateStatistics);
    }

    public void LoadState(BinaryReader reader)
    {
        Statistics.LoadState(reader);
        UpdateStatistics = reader.ReadBoolean();
    }
}
