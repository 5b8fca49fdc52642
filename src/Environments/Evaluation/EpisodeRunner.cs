using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Evaluation;

/// <summary>Chooses an action from an observation; <see cref="BeginEpisode"/> lets stateful policies reset memory.</summary>
public interface IActionPolicy
{
    void BeginEpisode()
    {
    }

    EnvAction Act(float[] observation);

    /// <summary>
    /// Chooses among <paramref name="validActions"/> (the env's <see cref="IActionMasking"/> mask; empty when it has
    /// none). Policies that ignore masks keep this default.
    /// </summary>
    EnvAction Act(float[] observation, ReadOnlySpan<bool> validActions) => Act(observation);
}

/// <summary>Uniformly random actions from the action space (the usual baseline), among the valid ones when the env masks actions.</summary>
public sealed class RandomPolicy : IActionPolicy
{
    private readonly Space _space;
    private readonly Rng _rng;
    private readonly float[] _buffer;

    public RandomPolicy(Space actionSpace, int seed)
    {
        _space = actionSpace;
        _rng = new Rng((ulong)seed ^ 0xA11CE);
        _buffer = new float[actionSpace is Box b ? b.FlatSize : 0];
    }

    public EnvAction Act(float[] observation) => Act(observation, default);

    public EnvAction Act(float[] observation, ReadOnlySpan<bool> validActions)
    {
        if (_space is Discrete d) return validActions.IsEmpty ? d.Sample(_rng) : ActionMask.SampleValid(_rng, d.N, validActions);
        ((Box)_space).Sample(_rng, _buffer);
        return new EnvAction(_buffer);
    }
}

/// <summary>Plays whole episodes with a policy and collects their returns and lengths.</summary>
public static class EpisodeRunner
{
    /// <summary>
    /// Runs <paramref name="episodes"/> episodes; the first reset uses <paramref name="seed"/> and later
    /// ones continue the env's random stream, so the set of episodes is reproducible.
    /// </summary>
    public static EpisodeStats Run(IEnvironment env, IActionPolicy policy, int episodes, int? seed,
        Action<int, double, int>? onEpisode = null, CancellationToken cancel = default)
    {
        if (episodes <= 0) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "--episodes must be at least 1.");
        var masks = new ActionMaskReader(env);
        var returns = new List<double>(episodes);
        var lengths = new List<int>(episodes);
        for (int e = 0; e < episodes && !cancel.IsCancellationRequested; e++)
        {
            var obs = env.Reset(e == 0 ? seed : null).Observation;
            policy.BeginEpisode();
            double total = 0;
            int length = 0;
            while (true)
            {
                var r = env.Step(policy.Act(obs, masks.Current));
                total += r.Reward;
                length++;
                obs = r.Observation;
                if (r.Done) break;
            }
            returns.Add(total);
            lengths.Add(length);
            onEpisode?.Invoke(e, total, length);
        }
        return new EpisodeStats(returns, lengths);
    }
}
