using DeepRL.Agents.Export;
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
/// the built-in per-env defaults. The <c>deeprl</c> CLI is a client of this class: <c>deeprl train</c> is
/// <see cref="Create(RunOptions, EnvRegistry?, ILogger?)"/> (or <see cref="Resume"/>) then <see cref="Train"/>.
/// </summary>
public sealed class Agent : IDisposable
{
    private const string AgentFile = "deeprl-agent.json";
    private readonly IAgent _impl;
    private readonly EnvRegistry _registry;
    private readonly RunDirectory? _resumeFrom;
    private RunOptions _options;
    private long _totalSteps;
    private IBatchPolicy? _greedy, _stochastic;

    private Agent(IAgent impl, RunOptions options, long totalSteps, EnvRegistry registry, RunDirectory? resumeFrom = null)
    {
        _impl = impl;
        _options = options;
        _totalSteps = totalSteps;
        _registry = registry;
        _resumeFrom = resumeFrom;
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

    /// <summary>Everything that defines a run of this agent (env, algorithm, seed, device, evaluation, hyperparameters), as in config.json.</summary>
    public RunOptions Options => _options;

    /// <summary>The summary of the last <see cref="Learn"/> or <see cref="Train"/> call.</summary>
    public RunSummary? LastRun { get; private set; }

    /// <summary>The run folder of the last (or current) training, or null when it trained in memory.</summary>
    public string? RunFolder { get; private set; }

    /// <summary>An agent for a registered environment id.</summary>
    /// <param name="algo">dqn, ppo, a2c, a3c or impala.</param>
    /// <param name="envId">A registered id such as <c>CartPole-v1</c>.</param>
    /// <param name="hyperparameters">snake_case keys and values, e.g. <c>{ ["learning_rate"] = 1e-3 }</c>.</param>
    /// <param name="seed">Seeds networks, exploration and envs.</param>
    /// <param name="device">cpu, cuda, cuda:N or auto.</param>
    /// <param name="registry">Where to find <paramref name="envId"/> (default: the built-ins and loaded plugins).</param>
    /// <param name="initFrom">Transfer learning: a run folder (<c>runs/X</c>, <c>runs/X:best</c> or <c>runs/X:latest</c>) whose weights this agent starts from.</param>
    /// <param name="initLayers">all (every layer, same architecture) or torso (the feature extractor only; the heads start fresh).</param>
    /// <param name="freeze">none, or torso to keep the transferred feature extractor fixed.</param>
    public static Agent Create(string algo, string envId, IReadOnlyDictionary<string, object>? hyperparameters = null, int seed = 1,
        string device = "cpu", EnvRegistry? registry = null, string? initFrom = null, string initLayers = InitFrom.All, string freeze = InitFrom.None)
    {
        algo = algo.ToLowerInvariant();
        AgentCatalog.CheckKnown(algo);
        (registry ?? EnvRegistry.Default).GetSpec(envId);
        return Create(new RunOptions
        {
            EnvId = envId,
            Algo = algo,
            Seed = seed,
            Device = device,
            Hyperparameters = AgentCatalog.ResolveHyperparameters(algo, envId, null, Overrides(hyperparameters)),
            InitFrom = Transfer(initFrom, initLayers, freeze),
        }, registry);
    }

    private static InitFrom? Transfer(string? initFrom, string initLayers, string freeze)
    {
        if (initFrom is not null) return InitFrom.Parse(initFrom, initLayers, freeze);
        if (freeze != InitFrom.None) throw new ArgumentException("freeze needs initFrom: only transferred weights can be frozen.");
        return null;
    }

    /// <summary>
    /// An agent from complete run settings (what <c>deeprl train</c> builds from its options; evaluation and checkpoint
    /// settings apply to <see cref="Train"/>). <c>policy: auto</c> is resolved from the observation shape and logged.
    /// </summary>
    public static Agent Create(RunOptions options, EnvRegistry? registry = null, ILogger? log = null)
    {
        registry ??= EnvRegistry.Default;
        using var probe = registry.Make(options.EnvId, new EnvOptions(options.EnvOptions));
        (options, string? policyNote) = AgentCatalog.ResolveAutoPolicy(options, probe.ObservationSpace);
        if (policyNote is not null) log?.LogInformation("{Note}", policyNote);
        var (impl, totalSteps) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, DeviceResolver.Resolve(options.Device));
        if (options.InitFrom is { Applied: false } request)
        {
            try
            {
                options = options with { InitFrom = WeightTransfer.Apply(impl, request, registry) };
            }
            catch
            {
                impl.Dispose();
                throw;
            }
            var from = options.InitFrom;
            log?.LogInformation("Initialised {Layers} from {Run} ({Checkpoint}, {Algo} on {Env} at step {Step}, model.pt {Sha}): {Tensors} tensors{Frozen}",
                from.Layers == InitFrom.All ? "every layer" : "the feature extractor", from.Run, from.Checkpoint, from.SourceAlgo, from.SourceEnv,
                from.SourceStep, from.ModelSha256![..12], from.TensorsCopied, from.Freeze == InitFrom.Torso ? "; feature extractor frozen" : "");
        }
        return new Agent(impl, options, totalSteps, registry);
    }

    /// <summary>
    /// Reopens a run folder to continue it with <see cref="Train"/> from its latest checkpoint. Its settings come from
    /// its config.json; only the total number of steps (to train longer) and the device may change.
    /// </summary>
    public static Agent Resume(string runFolder, EnvRegistry? registry = null, long? totalSteps = null, string? device = null)
    {
        registry ??= EnvRegistry.Default;
        var dir = Agents.Training.RunDirectory.Open(runFolder);
        var options = RunStore.ReadOptions(dir);
        if (totalSteps is long steps)
        {
            if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), steps, "The total number of steps must be positive.");
            var hyperparameters = (JsonObject)options.Hyperparameters.DeepClone();
            hyperparameters["total_timesteps"] = steps;
            options = options with { Hyperparameters = hyperparameters };
        }
        if (device is not null) options = options with { Device = device };
        using var probe = registry.Make(options.EnvId, new EnvOptions(options.EnvOptions));
        var (impl, total) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, DeviceResolver.Resolve(options.Device));
        return new Agent(impl, options, total, registry, dir);
    }

    /// <summary>An agent for your own environment: <paramref name="makeEnv"/> builds a fresh instance (one per parallel env).</summary>
    /// <param name="algo">dqn, ppo, a2c, a3c or impala.</param>
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
    /// Trains for <paramref name="steps"/> env steps (default: the total_timesteps hyperparameter). As in Stable-Baselines3,
    /// the call's steps shape the schedules (ε, learning-rate annealing): each call on a new agent starts them from the top
    /// and ends them at its last step. An agent from <see cref="Resume"/> continues its run instead: the schedules go on from
    /// where the run stopped, stretched to the new total without a jump (docs/library.md). In memory unless <see cref="LearnOptions.RunFolder"/> is set; callbacks can stop it early.
    /// </summary>
    public RunSummary Learn(long? steps = null, LearnOptions? options = null)
    {
        options ??= new LearnOptions();
        long total = steps ?? _totalSteps;
        if (total <= 0) throw new ArgumentOutOfRangeException(nameof(steps), total, "Learn needs a positive number of steps.");
        if (_resumeFrom is null)
        {
            // The call's steps are the run's length: its schedules span them, and config.json says so.
            var hyperparameters = (JsonObject)_options.Hyperparameters.DeepClone();
            hyperparameters["total_timesteps"] = total;
            _options = _options with
            {
                Hyperparameters = hyperparameters,
                EvalEvery = options.EvalEvery,
                EvalEpisodes = options.EvalEpisodes,
                FinalEvalEpisodes = options.FinalEvalEpisodes,
                StopWhenSolved = options.StopWhenSolved,
                CheckpointEvery = options.CheckpointEvery,
            };
        }
        var log = options.Logger ?? NullLogger.Instance;
        var observer = new CallbackObserver(options, log);
        return TrainRun(total, options.RunFolder, null, observer, log, default, run => observer.Run = run);
    }

    /// <summary>
    /// Trains with the evaluation and checkpoint settings of <see cref="Options"/>: a new run folder under
    /// <paramref name="outputRoot"/> (named <paramref name="runName"/>, or ENV__ALGO__SEED__TIME), in memory when it is
    /// null, or the resumed run of <see cref="Resume"/>. <paramref name="observer"/> sees every step, episode and
    /// evaluation (progress displays); cancelling <paramref name="stop"/> stops at the next step and saves a resumable checkpoint.
    /// </summary>
    public RunSummary Train(string? outputRoot = null, string? runName = null, ITrainingObserver? observer = null, ILogger? log = null,
        CancellationToken stop = default) =>
        TrainRun(_totalSteps, outputRoot, runName, observer, log ?? NullLogger.Instance, stop, null);

    private RunSummary TrainRun(long total, string? outputRoot, string? runName, ITrainingObserver? observer, ILogger log, CancellationToken stop,
        Action<TrainingRun>? started)
    {
        using var run = _resumeFrom is not null ? TrainingRun.Resume(_resumeFrom, _options, _impl, total, _registry, log, observer)
            : outputRoot is null ? TrainingRun.CreateInMemory(_options, _impl, total, _registry, log, observer)
            : TrainingRun.Create(_options, _impl, total, outputRoot, _registry, log, observer, runName);
        RunFolder = run.IsInMemory ? null : run.Directory.Path;
        started?.Invoke(run);
        using var onStop = stop.Register(run.RequestStop);
        _greedy = _stochastic = null;
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

    /// <summary>
    /// Deterministic evaluation on fresh episodes of <paramref name="env"/> (default: this agent's environment). Episode i
    /// starts with seed + i either way (as in <c>deeprl eval</c>), so the same seed on the same env gives the same episodes.
    /// </summary>
    public EpisodeStats Evaluate(int episodes = 10, int seed = 0, IEnvironment? env = null)
    {
        if (episodes <= 0) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "Evaluate needs at least one episode.");
        if (env is null)
            return Evaluator.Evaluate(_impl.GreedyPolicy(), _registry, EnvId, new EnvOptions(_options.EnvOptions), episodes, seed);
        CheckSpaces(env);
        return Evaluator.Evaluate(_impl.GreedyPolicy(), env, episodes, seed);
    }

    private void CheckSpaces(IEnvironment env)
    {
        if (!SpaceCompatibility.Fits(_impl, env))
            throw new ArgumentException($"This agent was trained on {EnvId} (observations {ObservationSpace}, actions {ActionSpace}); " +
                                        $"the given environment has observations {env.ObservationSpace} and actions {env.ActionSpace}.");
    }

    /// <summary>
    /// Writes the greedy policy as a standard ONNX file (see docs/deployment.md): raw env observations in, this agent's
    /// actions out; DeepRL.Inference or any ONNX runtime runs it without TorchSharp. Masking envs get a mask input.
    /// </summary>
    public void Export(string path)
    {
        using var env = _registry.Make(EnvId, new EnvOptions(_options.EnvOptions));
        PolicyExport.Export(_impl, new ExportSource(EnvId, _options.EnvOptions, Algo, LastRun?.Steps ?? 0, ActionMask.Of(env) is not null), path);
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

    /// <summary>
    /// Loads an agent saved with <see cref="Save"/> (which needs nothing else), or one from a run: its folder (the
    /// checkpoint its final report recommends) or one of its checkpoints (runs/X/checkpoints/best). A run's agent is
    /// rebuilt from its config.json and its environment's spaces, so that environment must be known to
    /// <paramref name="registry"/> (default: the built-ins and loaded plugins).
    /// </summary>
    public static Agent Load(string path, string device = "cpu", EnvRegistry? registry = null)
    {
        if (RunCheckpoint(path) is var (run, checkpoint)) return LoadFromRun(run, checkpoint, device, registry ?? EnvRegistry.Default);
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
        var (impl, totalSteps) = AgentCatalog.Load(options, observationSpace, actionSpace, folder, DeviceResolver.Resolve(device));
        return new Agent(impl, options, totalSteps, registry ?? EnvRegistry.Default);
    }

    /// <summary>The run and checkpoint name when <paramref name="path"/> is a run folder or one of its checkpoints; else null.</summary>
    private static (RunDirectory Run, string Checkpoint)? RunCheckpoint(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        var asRun = new RunDirectory(full);
        if (File.Exists(asRun.ConfigFile)) return (asRun, RunStore.RecommendedCheckpoint(asRun));
        if (Path.GetDirectoryName(Path.GetDirectoryName(full)) is not { } parent) return null;
        var owner = new RunDirectory(parent);
        return File.Exists(owner.ConfigFile) && owner.CheckpointsDir == Path.GetDirectoryName(full) ? (owner, Path.GetFileName(full)) : null;
    }

    private static Agent LoadFromRun(RunDirectory run, string checkpoint, string device, EnvRegistry registry)
    {
        var options = RunStore.ReadOptions(run) with { Device = device, InitFrom = null };
        string folder = RunStore.CheckpointFolder(run, checkpoint);
        CheckpointManifest.Verify(folder);
        if (!registry.Contains(options.EnvId))
            throw new ArgumentException($"The run {run.Path} trained on {options.EnvId}, which is not registered here: load its plugin into the registry first.");
        var (impl, totalSteps) = AgentCatalog.Load(options, registry, folder, DeviceResolver.Resolve(device));
        return new Agent(impl, options, totalSteps, registry);
    }

    public void Dispose() => _impl.Dispose();

    private sealed record SavedAgent(RunOptions Options, SpaceDescription ObservationSpace, SpaceDescription ActionSpace);
}
