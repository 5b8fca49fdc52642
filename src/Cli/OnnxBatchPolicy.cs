using DeepRL.Agents.Training;
using DeepRL.Inference;

namespace DeepRL.Cli;

/// <summary>An exported policy (DeepRL.Inference) behind the interface eval, watch and record drive trained agents through.</summary>
public sealed class OnnxBatchPolicy(OnnxPolicy policy) : IBatchPolicy
{
    private RecurrentState? _state;

    public void Act(ReadOnlySpan<float> observations, int count, Span<int> actions, ReadOnlySpan<bool> validActions = default) =>
        policy.PredictBatch(observations[..(count * policy.ObservationSpace.FlatSize)], count, actions,
            policy.AcceptsActionMask ? validActions : default, State(count));

    public void ActContinuous(ReadOnlySpan<float> observations, int count, Span<float> actions) =>
        policy.PredictContinuous(observations[..(count * policy.ObservationSpace.FlatSize)], count, actions, State(count));

    public void Values(ReadOnlySpan<float> observations, int count, Span<float> values)
    {
        // Values are read without advancing a recurrent policy's memory: the state is copied for this pass.
        var state = State(count) is { } s ? Copy(s) : null;
        var v = policy.Run(observations[..(count * policy.ObservationSpace.FlatSize)], count, default, state).Values;
        for (int i = 0; i < count; i++) values[i] = v?[i] ?? float.NaN;
    }

    public void ResetRows(ReadOnlySpan<bool> rows)
    {
        if (!policy.IsRecurrent) return;
        if (_state is null || _state.Batch != rows.Length) _state = policy.InitialState(rows.Length);
        for (int i = 0; i < rows.Length; i++) if (rows[i]) _state.ResetRow(i);
    }

    private RecurrentState? State(int count)
    {
        if (!policy.IsRecurrent) return null;
        if (_state is null || _state.Batch != count) _state = policy.InitialState(count);
        return _state;
    }

    private static RecurrentState Copy(RecurrentState s)
    {
        var copy = new RecurrentState(s.Batch, s.Hidden);
        s.H.CopyTo(copy.H, 0);
        s.C.CopyTo(copy.C, 0);
        return copy;
    }
}
