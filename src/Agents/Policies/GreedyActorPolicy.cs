using DeepRL.Agents.Training;
using static TorchSharp.torch;

namespace DeepRL.Agents.Policies;

/// <summary>
/// Deterministic PPO policy for evaluation: the most likely action (Discrete) or the mean (Box), with the
/// LSTM state carried per row and reset where <see cref="ResetRows"/> says an episode starts.
/// </summary>
/// <remarks>Given <paramref name="sample"/>, it samples from the policy instead (library <c>Predict(deterministic: false)</c>).</remarks>
public sealed class GreedyActorPolicy(ActorCritic network, int[] observationShape, Device device, DeepRL.Environments.Rng? sample = null) : IBatchPolicy
{
    private readonly long[] _shape = observationShape.Select(d => (long)d).ToArray();
    private Tensor? _h, _c;
    private float[] _starts = [];

    public void ResetRows(ReadOnlySpan<bool> rows)
    {
        if (_starts.Length != rows.Length) _starts = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++) _starts[i] = rows[i] ? 1f : 0f;
    }

    public void Act(ReadOnlySpan<float> observations, int count, Span<int> actions, ReadOnlySpan<bool> validActions = default)
    {
        using var scope = NewDisposeScope();
        var (actor, _) = Forward(observations, count);
        if (sample is not null || !validActions.IsEmpty)
        {
            var logits = actor.cpu().data<float>().ToArray();
            int n = logits.Length / count;
            for (int i = 0; i < count; i++)
            {
                var valid = validActions.IsEmpty ? default : validActions.Slice(i * n, n);
                actions[i] = sample is not null
                    ? PolicyDistribution.SampleCategorical(logits.AsSpan(i * n, n), sample, out _, valid)
                    : PolicyDistribution.Argmax(logits.AsSpan(i * n, n), valid);
            }
            return;
        }
        var best = actor.argmax(1).cpu().data<long>();
        for (int i = 0; i < count; i++) actions[i] = (int)best[i];
    }

    public void ActContinuous(ReadOnlySpan<float> observations, int count, Span<float> actions)
    {
        using var scope = NewDisposeScope();
        var (mean, _) = Forward(observations, count);
        var m = mean.cpu().data<float>().ToArray();
        if (sample is not null && network.LogStd is { } logStdTensor)
        {
            var logStd = logStdTensor.detach().cpu().data<float>().ToArray();
            int size = logStd.Length;
            for (int i = 0; i < count; i++) PolicyDistribution.SampleGaussian(m.AsSpan(i * size, size), logStd, sample, actions.Slice(i * size, size));
            return;
        }
        for (int i = 0; i < actions.Length && i < m.Length; i++) actions[i] = m[i];
    }

    public void Values(ReadOnlySpan<float> observations, int count, Span<float> values)
    {
        using var scope = NewDisposeScope();
        var (_, value) = Forward(observations, count, advanceState: false);
        var v = value.cpu().data<float>();
        for (int i = 0; i < count; i++) values[i] = v[i];
    }

    private (Tensor Actor, Tensor Value) Forward(ReadOnlySpan<float> observations, int count, bool advanceState = true)
    {
        using var _ = no_grad();
        var input = empty([count, .. _shape]);
        input.data<float>().CopyFrom(observations[..(count * (int)input.shape.Skip(1).Aggregate(1L, (a, b) => a * b))]);
        input = input.to(device);
        if (!network.IsRecurrent)
        {
            var (a, v, _, _) = network.Step(input, null, null, null);
            return (a, v);
        }
        if (_h is null || _h.shape[1] != count)
        {
            _h?.Dispose();
            _c?.Dispose();
            (_h, _c) = network.InitialState(count, device);
            _h = _h.DetachFromDisposeScope();
            _c = _c.DetachFromDisposeScope();
            if (_starts.Length != count) ResetRows(new bool[count].Select(_ => true).ToArray());
        }
        var starts = tensor(_starts).to(device);
        var (actor, value, h, c) = network.Step(input, _h, _c, starts);
        if (advanceState)
        {
            _h!.Dispose();
            _c!.Dispose();
            _h = h!.DetachFromDisposeScope();
            _c = c!.DetachFromDisposeScope();
            Array.Clear(_starts);
        }
        return (actor, value);
    }
}
