using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Wrappers;

/// <summary>
/// Stacks the last <c>k</c> observations along a new leading axis (oldest first), so a memoryless
/// policy sees motion. After a reset the stack is filled with copies of the first observation.
/// </summary>
public sealed class FrameStack : Wrapper, ISnapshotable
{
    private readonly int _k;
    private readonly int _frameSize;
    private readonly float[] _stacked;

    public FrameStack(IEnvironment inner, int k) : base(inner)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "Stack at least one frame.");
        _k = k;
        var box = inner.ObservationSpace;
        _frameSize = box.FlatSize;
        var low = new float[_frameSize * k];
        var high = new float[_frameSize * k];
        for (int i = 0; i < k; i++)
        {
            box.Low.CopyTo(low, i * _frameSize);
            box.High.CopyTo(high, i * _frameSize);
        }
        ObservationSpace = new Box([k, .. box.Shape], low, high, box.DType);
        _stacked = new float[_frameSize * k];
    }

    public override Box ObservationSpace { get; }

    public override ResetResult Reset(int? seed = null)
    {
        var r = Inner.Reset(seed);
        for (int i = 0; i < _k; i++) r.Observation.AsSpan().CopyTo(_stacked.AsSpan(i * _frameSize, _frameSize));
        return r with { Observation = _stacked };
    }

    public override StepResult Step(EnvAction action)
    {
        var r = Inner.Step(action);
        // Shift older frames one slot towards the front, newest goes last.
        _stacked.AsSpan(_frameSize).CopyTo(_stacked);
        r.Observation.AsSpan().CopyTo(_stacked.AsSpan((_k - 1) * _frameSize, _frameSize));
        return r with { Observation = _stacked };
    }

    public void SaveState(BinaryWriter writer) => writer.WriteArray<float>(_stacked);

    public void LoadState(BinaryReader reader) => reader.ReadArray<float>(_stacked);
}
