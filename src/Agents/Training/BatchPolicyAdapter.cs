using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using DeepRL.Environments.Spaces;

namespace DeepRL.Agents.Training;

/// <summary>Lets a trained agent's batch policy drive a single environment (viewer, recorder).</summary>
public sealed class BatchPolicyAdapter(IBatchPolicy policy, Space actionSpace) : IActionPolicy
{
    private readonly int[] _action = new int[1];
    private readonly float[] _continuous = new float[actionSpace is Box b ? b.FlatSize : 0];
    private readonly float[] _value = new float[1];
    private readonly bool[] _start = [true];

    public void BeginEpisode()
    {
        _start[0] = true;
        policy.ResetRows(_start);
    }

    public EnvAction Act(float[] observation) => Act(observation, default);

    public EnvAction Act(float[] observation, ReadOnlySpan<bool> validActions)
    {
        DeepRL.Agents.Torch.GcGate.SafePoint(); // before the forward pass: no tensor call of this thread is in flight
        if (actionSpace is Box box)
        {
            policy.ActContinuous(observation, 1, _continuous);
            for (int k = 0; k < _continuous.Length; k++) _continuous[k] = Math.Clamp(_continuous[k], box.Low[k], box.High[k]);
            return new EnvAction(_continuous);
        }
        policy.Act(observation, 1, _action, validActions);
        return _action[0];
    }

    /// <summary>The agent's value estimate of an observation, for the HUD.</summary>
    public double? Value(float[] observation)
    {
        policy.Values(observation, 1, _value);
        return float.IsFinite(_value[0]) ? _value[0] : null;
    }
}
