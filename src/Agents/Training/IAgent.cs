using DeepRL.Environments.Spaces;

namespace DeepRL.Agents.Training;

/// <summary>Greedy (deterministic) actions for a batch of observations — what evaluation and viewers use.</summary>
public interface IBatchPolicy
{
    /// <summary>
    /// Observations row-major [count × obs size]; writes one action per row. <paramref name="validActions"/> is
    /// empty or count × actions (the envs' <see cref="DeepRL.Environments.IActionMasking"/> masks): then only valid
    /// actions are chosen (a row with none valid is unrestricted).
    /// </summary>
    void Act(ReadOnlySpan<float> observations, int count, Span<int> actions, ReadOnlySpan<bool> validActions = default);

    /// <summary>Box-action policies: writes count × action size values (the mean action).</summary>
    void ActContinuous(ReadOnlySpan<float> observations, int count, Span<float> actions) =>
        throw new NotSupportedException("This policy has discrete actions.");

    /// <summary>Value estimate per row (Q of the chosen action, or V), for HUDs. Optional.</summary>
    void Values(ReadOnlySpan<float> observations, int count, Span<float> values)
    {
        values[..count].Fill(float.NaN);
    }

    /// <summary>Tells recurrent policies which rows start a new episode.</summary>
    void ResetRows(ReadOnlySpan<bool> rows)
    {
    }
}

/// <summary>
/// A learning algorithm as the shared run infrastructure sees it: it trains against a <see cref="TrainingRun"/>
/// (which owns the clock, evaluation, checkpoints and metrics), acts greedily for evaluation, and
/// saves/loads its own state (networks, optimizer, random state, buffers) in a checkpoint folder.
/// </summary>
public interface IAgent : IDisposable
{
    string Algo { get; }

    Box ObservationSpace { get; }

    Space ActionSpace { get; }

    /// <summary>Runs the training loop until <see cref="TrainingRun.ShouldStop"/>.</summary>
    void Learn(TrainingRun run);

    IBatchPolicy GreedyPolicy();

    /// <summary>Actions sampled from the policy (actor-critic agents); agents without a stochastic policy act greedily.</summary>
    IBatchPolicy StochasticPolicy(int seed) => GreedyPolicy();

    /// <summary>The optimizer's current learning rate (it follows the run's schedule; see <see cref="ScheduleSpan"/>).</summary>
    double LearningRate => double.NaN;

    /// <summary>True for agents that learn from a replay buffer (checkpoints then hold it with <c>--save-replay</c>).</summary>
    bool UsesReplay => false;

    /// <summary>
    /// Called after transfer learning replaced the acting network's weights (<see cref="WeightTransfer"/>): copies that
    /// mirror it (DQN's target network) follow.
    /// </summary>
    void WeightsReplaced()
    {
    }

    void Save(string directory, bool includeReplay);

    /// <summary>Loads a checkpoint; evaluation needs only the networks (<paramref name="includeTrainingState"/> false).</summary>
    void Load(string directory, bool includeReplay, bool includeTrainingState = true);
}
