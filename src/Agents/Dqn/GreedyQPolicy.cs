using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Training;
using static TorchSharp.torch;

namespace DeepRL.Agents.Dqn;

/// <summary>argmax_a Q(s, a) for a batch of observations (over valid actions when masked), in one forward pass without gradients.</summary>
public sealed class GreedyQPolicy(QNetwork network, int[] observationShape, Device device) : IBatchPolicy
{
    private readonly long[] _shape = observationShape.Select(d => (long)d).ToArray();
    private float[] _scores = []; // host Q-values for masked argmax, reused: DQN acts through this every env step

    public void Act(ReadOnlySpan<float> observations, int count, Span<int> actions, ReadOnlySpan<bool> validActions = default)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var q = Forward(observations, count);
        if (!validActions.IsEmpty)
        {
            var data = q.cpu().data<float>();
            if (_scores.Length != (int)data.Count) _scores = new float[data.Count];
            data.CopyTo(_scores);
            int n = _scores.Length / count;
            for (int i = 0; i < count; i++) actions[i] = PolicyDistribution.Argmax(_scores.AsSpan(i * n, n), validActions.Slice(i * n, n));
            return;
        }
        var best = q.argmax(1).cpu();
        var values = best.data<long>();
        for (int i = 0; i < count; i++) actions[i] = (int)values[i];
    }

    public void Values(ReadOnlySpan<float> observations, int count, Span<float> values)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var max = Forward(observations, count).max(1).values.cpu();
        var data = max.data<float>();
        for (int i = 0; i < count; i++) values[i] = data[i];
    }

    private Tensor Forward(ReadOnlySpan<float> observations, int count)
    {
        int size = observations.Length / Math.Max(1, count);
        var input = empty([count, .. _shape]);
        input.data<float>().CopyFrom(observations[..(count * size)]);
        return network.forward(device.type == TorchSharp.DeviceType.CPU ? input : input.to(device));
    }
}
