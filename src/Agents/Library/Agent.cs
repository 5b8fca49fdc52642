using System.Text.Json;
using System.Text.Json.Nodes;
using DeepRL.Agents;
using DeepRL.Agents.Config;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using DeepRL.Environments.Spaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeepRL;

/// <summary>
/// Train and use an agent from C#, in the shape of Stable-Baselines3:
/// <code>
/// using var agent = Agent.Create("ppo", "CartPole-v1");
/// agent.Learn(100_000);
/// int action = agent.Predict(observation);
/// agent.Save("cartpole-ppo");
/// using var again = Agent.Load("cartpole-ppo");
/// </code>
/// The environment is an id from <see cref="EnvRegistry.Default"/> or any <see cref="IEnvironment"/> factory (no
/// registration needed). Hyperparameters use the same snake_case keys as <c>deeprl train --set</c>, layered over
/// the built-in per-env defaults. The <c>deeprl</c> CLI trains through the same <see cref="TrainingRun"/>.
/// </summary>
public sealed class Agent : IDisposable
{
    private const string AgentFile = "deeprl-agent.json";
    private readonly IAgent _impl;
    private readonly EnvRegistry _registry;
    private RunOptions _options;
    private IBatchPolicy? _greedy, _stochastic;
    private BatchPolicyAdapter? _single;

    private Agent(IAgent impl, RunOptions options, EnvRegistry registry)
    {
        _impl = impl;
        _options = options;
        _registry = registry;
    }

    public string Algo => _options.Algo;

    /// <summary>The environment id (for a factory: the name given to <see cref="Create(string, Func{IEnvironment}, IReadOnlyDictionary{string, object}?, int, string, string)"/>).</summary>
    public string EnvId => _options.EnvId;

    public Box ObservationSpace => _impl.ObservationSpace;

    public Space ActionSpace => _impl.ActionSpace;

    /// <summary>The resolved hyperparameters (snake_case, as in a run's config.json).</summary>
    public JsonObject Hyperparameters => (JsonObject)_options.Hyperparameters.DeepClone();

    /// <summary>The underlying algorithm (DQN, PPO, A2C, A3C agent) for advanced use.</summary>
    public IAgent Implementation => _impl;

    /// <summary>The summary of the last <see cref="Learn"/> call.</summary>
    public RunSummary? LastRun { get; private set; }

    /// <summary>An agent for a registered environment id.</summary>
    /// <param name="algo">dqn, ppo, a2c or a3c.</param>
    /// <param name="envId">A registered id such as <c>CartPole-v1</c>.</param>
    /// <param name="hyperparameters">snake_case keys and values, e.g. <c>{ ["learning_rate"] = 1e-3 }</c>.</param>
    /// <param name="seed">Seeds networks, exploration and envs.</param>
    /// <param name="device">cpu, cuda, cuda:N or auto.</param>
    /// <param name="registry">Where to find <paramref name="envId"/> (default: the built-ins and loaded plugins).</param>
    public static Agent Create(string algo, string envId, IReadOnlyDictionary<string, object>? hyperparameters = null, int seed = 1,
        string device = "cpu", EnvRegistry? registry = null)
    {
        registry ??= EnvRegistry.Default;
        algo = algo.ToLowerInvariant();
        AgentCatalog.CheckKnown(algo);
        registry.GetSpec(envId);
        var options = new RunOptions
        {
            EnvId = envId,
            Algo = algo,
            Seed = seed,
            Device = device,
            Hyperparameters = AgentCatalog.ResolveHyperparameters(algo, envId, null, Overrides(hyperparameters)),
        };
        using var probe = registry.Make(envId);
        (options, _) = AgentCatalog.ResolveAutoPolicy(options, probe.ObservationSpace);
        var (impl, _) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, DeviceResolver.Resolve(device));
        return new Agent(impl, options, registry);
    }

    /// <summary>An agent for your own environment: <paramref name="makeEnv"/> builds a fresh instance (one per parallel env).</summary>
    /// <param name="algo">dqn, ppo, a2c or a3c.</param>
    /// <param name="makeEnv">Builds the environment (add a TimeLimit yourself if episodes can run forever).</param>
    /// <param name="hyperparameters">snake_case keys and values.</param>
    /// <param name="seed">Seeds networks, exploration and envs.</param>
    /// <param name="device">cpu, cuda, cuda:N or auto.</param>
    /// <param name="name">The environment's name in logs and run folders.</param>
    public static Agent Create(string algo, Func<IEnvironment> makeEnv, IReadOnlyDictionary<string, object>? hyperparameters = null, int seed = 1,
        string device = "cpu", string name = "Custom-v0")
    {
        ArgumentNullException.ThrowIfNull(makeEnv);
        var registry = new EnvRegistry();
        registry.Register(new EnvSpec(name, _ => makeEnv(), Description: "environment given to Agent.Create"));
        return Create(algo, name, hyperparameters, seed, device, registry);
    }

    private static IEnumerable<string> Overrides(IReadOnlyDictionary<string, object>? hyperparameters) =>
        (hyperparameters ?? new Dictionary<string, object>()).Select(kv => kv.Value switch
        {
            int[] arr => $"{kv.Key}={string.Join(',', arr)}",
            IFormattable f => $"{kv.Key}={f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}",
            bool b => $"{kv.Key}={(b ? "true" : "false")}",
            _ => $"{kv.Key}={kv.Value}",
        });

    /// <summary>
    /// Trains for <paramref name="steps"/> env steps (default: the total_timesteps hyperparameter, which also shapes the
    /// schedules). In memory unless <see cref="LearnOptions.RunFolder"/> is set; callbacks can stop it early.
    /// </summary>
    public RunSummary Learn(long? steps = null, LearnOptions? options = null)
    {
        options ??= new LearnOptions();
        long total = steps ?? _options.Hyperparameters["total_timesteps"]!.GetValue<long>();
        if (total <= 0) throw new ArgumentOutOfRangeException(nameof(steps), total, "Learn needs a positive number of steps.");
        _options = _options with
        {
            EvalEvery = options.EvalEvery,
            EvalEpisodes = options.EvalEpisodes,
            FinalEvalEpisodes = options.FinalEvalEpisodes,
            StopWhenSolved = options.StopWhenSolved,
            CheckpointEvery = options.CheckpointEvery,
        };
        var log = options.Logger ?? NullLogger.Instance;
        var observer = new CallbackObserver(options, log);
        using var run = options.RunFolder is null
            ? TrainingRun.CreateInMemory(_options, _impl, total, _registry, log, observer)
            : TrainingRun.Create(_options, _impl, total, options.RunFolder, _registry, log, observer);
        observer.Run = run;
        _greedy = _stochastic = null;
        _single = null;
        LastRun = run.Train();
        return LastRun;
    }

    /// <summary>The action for one observation: the most likely one (deterministic) or one sampled from the policy.</summary>
    /// <param name="observation">One observation, flattened.</param>
    /// <param name="deterministic">Greedy (true) or sampled (false; DQN is always greedy).</param>
    /// <param name="episodeStart">True at the first step of an episode (resets recurrent state).</param>
    /// <param name="validActions">The env's action mask (<see cref="IActionMasking"/>); only valid actions are chosen. Empty = all.</param>
    public int Predict(ReadOnlySpan<float> observation, bool deterministic = true, bool episodeStart = false, ReadOnlySpan<bool> validActions = default)
    {
        Span<int> action = stackalloc int[1];
        Predict(observation, 1, action, deterministic, episodeStart ? [true] : [false], validActions);
        return action[0];
    }

    /// <summary>Actions for a batch of <paramref name="count"/> observations (row-major); masks, if any, are count × actions.</summary>
    public void Predict(ReadOnlySpan<float> observations, int count, Span<int> actions, bool deterministic = true, ReadOnlySpan<bool> episodeStarts = default,
        ReadOnlySpan<bool> validActions = default)
    {
        if (ActionSpace is not Discrete d) throw new InvalidOperationException($"{EnvId} has continuous actions {ActionSpace}: use PredictContinuous.");
        if (!validActions.IsEmpty && validActions.Length != count * d.N)
            throw new ArgumentException($"validActions holds {validActions.Length} values; expected {count} × {d.N} (one per action per observation).", nameof(validActions));
        var policy = Policy(deterministic, observations, count, episodeStarts);
        policy.Act(observations, count, actions, validActions);
    }

    /// <summary>Actions for Box action spaces: count × action size values (the mean when deterministic), clipped to the space.</summary>
    public float[] PredictContinuous(ReadOnlySpan<float> observations, int count = 1, bool deterministic = true)
    {
        if (ActionSpace is not Box box) throw new InvalidOperationException($"{EnvId} has discrete actions {ActionSpace}: use Predict.");
        var actions = new float[count * box.FlatSize];
        Policy(deterministic, observations, count, default).ActContinuous(observations, count, actions);
        for (int k = 0; k < actions.Length; k++) actions[k] = Math.Clamp(actions[k], box.Low[k % box.FlatSize], box.High[k % box.FlatSize]);
        return actions;
    }

    private IBatchPolicy Policy(bool deterministic, ReadOnlySpan<float> observations, int count, ReadOnlySpan<bool> starts)
    {
        int size = ObservationSpace.FlatSize;
        if (count <= 0 || observations.Length != count * size)
            throw new ArgumentException($"Expected {count} observation(s) of {size} values ({count * size} in all), got {observations.Length}.", nameof(observations));
        var policy = deterministic ? _greedy ??= _impl.GreedyPolicy() : _stochastic ??= _impl.StochasticPolicy(_options.Seed);
        if (!starts.IsEmpty) policy.ResetRows(starts);
        return policy;
    }

    /// <summary>Deterministic evaluation on fresh episodes of <paramref name="env"/> (default: this agent's environment).</summary>
    public EpisodeStats Evaluate(int episodes = 10, int seed = 0, IEnvironment? env = null)
    {
        if (episodes <= 0) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "Evaluate needs at least one episode.");
        if (env is null)
            return Evaluator.Evaluate(_impl.GreedyPolicy(), _registry, EnvId, new EnvOptions(_options.EnvOptions), episodes, seed);
        CheckSpaces(env);
        _single ??= new BatchPolicyAdapter(_impl.GreedyPolicy(), ActionSpace);
        return EpisodeRunner.Run(env, _single, episodes, seed);
    }

    private void CheckSpaces(IEnvironment env)
    {
        if (!SpaceCompatibility.Fits(_impl, env))
            throw new ArgumentException($"This agent was trained on {EnvId} (observations {ObservationSpace}, actions {ActionSpace}); " +
                                        $"the given environment has observations {env.ObservationSpace} and actions {env.ActionSpace}.");
    }

    /// <summary>Saves everything <see cref="Load"/> needs (networks, optimizer, hyperparameters, spaces) into folder <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        var file = new SavedAgent(_options, SpaceDescription.Of(ObservationSpace), SpaceDescription.Of(ActionSpace));
        AtomicFile.ReplaceDirectory(path, tmp =>
        {
            _impl.Save(tmp, includeReplay: false);
            File.WriteAllText(Path.Combine(tmp, AgentFile), JsonSerializer.Serialize(file, HyperparameterResolver.Json));
        });
    }

    /// <summary>Loads an agent saved with <see cref="Save"/>, or a run folder's checkpoint (runs/X/checkpoints/best).</summary>
    public static Agent Load(string path, string device = "cpu", EnvRegistry? registry = null)
    {
        string folder = AtomicFile.ResolveDirectory(path) ?? throw new DirectoryNotFoundException($"No saved agent at '{path}'.");
        CheckpointManifest.Verify(folder);
        string agentFile = Path.Combine(folder, AgentFile);
        if (!File.Exists(agentFile)) throw new FileNotFoundException($"'{folder}' is not a saved agent: {AgentFile} is missing.", agentFile);
        var saved = CheckpointFiles.ReadJson<SavedAgent>(agentFile);
        if (saved.Options is null || saved.ObservationSpace is null || saved.ActionSpace is null)
            throw new InvalidDataException($"'{agentFile}' is incomplete: options, observation_space and action_space are required.");
        var options = saved.Options.Validated(agentFile) with { Device = device };
        var observationSpace = saved.ObservationSpace.ToBox(agentFile);
        var actionSpace = saved.ActionSpace.ToSpace(agentFile);
        var (impl, _) = AgentCatalog.Create(options, observationSpace, actionSpace, DeviceResolver.Resolve(device));
        try
        {
            impl.Load(folder, includeReplay: false);
        }
        catch
        {
            impl.Dispose();
            throw;
        }
        return new Agent(impl, options, registry ?? EnvRegistry.Default);
    }

    public void Dispose() => _impl.Dispose();

    private sealed record SavedAgent(RunOptions Options, SpaceDescription ObservationSpace, SpaceDescription ActionSpace);
}
