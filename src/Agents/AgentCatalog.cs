using System.Text.Json;
using System.Text.Json.Nodes;
using DeepRL.Agents.A2c;
using DeepRL.Agents.A3c;
using DeepRL.Agents.Config;
using DeepRL.Agents.Dqn;
using DeepRL.Agents.Impala;
using DeepRL.Agents.Ppo;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using static TorchSharp.torch;

namespace DeepRL.Agents;

/// <summary>The algorithms <c>deeprl train --algo</c> knows, and how to build each from resolved hyperparameters.</summary>
public static class AgentCatalog
{
    public static IReadOnlyList<string> Algorithms { get; } = ["dqn", "ppo", "a2c", "a3c", "impala"];

    public static void CheckKnown(string algo)
    {
        if (!Algorithms.Contains(algo))
            throw new ArgumentException($"Unknown algorithm '{algo}'; available: {string.Join(", ", Algorithms)}.");
    }

    /// <summary>Layers defaults, per-env defaults, the config file and overrides into one JSON object.</summary>
    public static JsonObject ResolveHyperparameters(string algo, string envId, string? configFile, IEnumerable<string> overrides)
    {
        CheckKnown(algo);
        Dictionary<string, string> origins;
        object config = algo switch
        {
            "ppo" => HyperparameterResolver.Resolve<PpoConfig>(algo, envId, configFile, overrides, out origins),
            "a2c" => HyperparameterResolver.Resolve<A2cConfig>(algo, envId, configFile, overrides, out origins),
            "a3c" => HyperparameterResolver.Resolve<A3cConfig>(algo, envId, configFile, overrides, out origins),
            "impala" => HyperparameterResolver.Resolve<ImpalaConfig>(algo, envId, configFile, overrides, out origins),
            _ => HyperparameterResolver.Resolve<DqnConfig>(algo, envId, configFile, overrides, out origins),
        };
        try
        {
            return Validated(config);
        }
        catch (ArgumentException ex)
        {
            // "learning_rate must be positive" → "… (from config file 'my.json')": the user sees which layer to fix.
            throw new ArgumentException(HyperparameterResolver.WithOrigin(ex.Message, origins));
        }
    }

    private static JsonObject Validated(object config)
    {
        var resolved = JsonSerializer.SerializeToNode(config, config.GetType(), HyperparameterResolver.Json)!.AsObject();
        foreach (var (key, value) in resolved)
        {
            // Named literals (NaN, Infinity) are how System.Text.Json writes non-finite doubles.
            if (value is JsonValue v && v.TryGetValue(out string? text) && text is "NaN" or "Infinity" or "-Infinity")
                throw new ArgumentException($"Hyperparameter {key} must be a finite number, got {text}.");
        }
        if (config is DqnConfig dqn) dqn.Validate();
        if (config is PpoConfig ppo) ppo.Validate();
        if (config is ActorCriticConfig ac) ac.Validate();
        return resolved;
    }

    /// <summary>
    /// Replaces <c>policy: auto</c> in a run's hyperparameters with the network it stands for on these
    /// observations, so config.json records what was actually built. Returns a sentence for the log, or null.
    /// </summary>
    public static (RunOptions Options, string? Note) ResolveAutoPolicy(RunOptions options, Box observationSpace)
    {
        if (options.Hyperparameters["policy"]?.GetValue<string>() is not "auto") return (options, null);
        var chosen = Networks.NetworkFactory.Resolve(Networks.PolicyKind.Auto, observationSpace.Shape);
        var hyper = (JsonObject)options.Hyperparameters.DeepClone();
        hyper["policy"] = JsonSerializer.SerializeToNode(chosen, HyperparameterResolver.Json);
        string shape = string.Join("×", observationSpace.Shape);
        string why = chosen == Networks.PolicyKind.Cnn ? $"observations are {shape} images" : $"observations have shape {shape}";
        return (options with { Hyperparameters = hyper }, $"policy auto → {chosen.ToString().ToLowerInvariant()} ({why})");
    }

    /// <summary>
    /// Builds the agent described by a run's options for the given spaces and device, with its transferred feature
    /// extractor frozen when the run asked for it (<see cref="InitFrom.Freeze"/>; weights are copied by <c>Agent.Create</c>).
    /// </summary>
    public static (IAgent Agent, long TotalSteps) Create(RunOptions options, Box observationSpace, Space actionSpace, Device device)
    {
        var (agent, total) = Build(options, observationSpace, actionSpace, device);
        if (options.InitFrom?.Freeze == InitFrom.Torso)
        {
            try
            {
                WeightTransfer.FreezeTorso(agent);
            }
            catch
            {
                agent.Dispose();
                throw;
            }
        }
        return (agent, total);
    }

    /// <summary>
    /// Builds the agent described by <paramref name="options"/> and loads the checkpoint in <paramref name="folder"/> into it
    /// (without its replay buffer); the agent is disposed if loading fails.
    /// </summary>
    public static (IAgent Agent, long TotalSteps) Load(RunOptions options, Box observationSpace, Space actionSpace, string folder, Device device,
        bool includeTrainingState = true)
    {
        var (agent, total) = Create(options, observationSpace, actionSpace, device);
        try
        {
            agent.Load(folder, includeReplay: false, includeTrainingState);
        }
        catch
        {
            agent.Dispose();
            throw;
        }
        return (agent, total);
    }

    /// <summary>The same, with the spaces of the run's environment (which <paramref name="registry"/> must know).</summary>
    public static (IAgent Agent, long TotalSteps) Load(RunOptions options, EnvRegistry registry, string folder, Device device, bool includeTrainingState = true)
    {
        using var probe = registry.Make(options.EnvId, new EnvOptions(options.EnvOptions));
        return Load(options, probe.ObservationSpace, probe.ActionSpace, folder, device, includeTrainingState);
    }

    private static (IAgent Agent, long TotalSteps) Build(RunOptions options, Box observationSpace, Space actionSpace, Device device)
    {
        CheckKnown(options.Algo);
        switch (options.Algo)
        {
            case "ppo":
                var ppo = options.Hyperparameters.Deserialize<PpoConfig>(HyperparameterResolver.Json)!;
                return (new PpoAgent(ppo, observationSpace, actionSpace, device, options.Seed), ppo.TotalTimesteps);
            case "a2c":
                var a2c = options.Hyperparameters.Deserialize<A2cConfig>(HyperparameterResolver.Json)!;
                return (new A2cAgent(a2c, observationSpace, actionSpace, device, options.Seed), a2c.TotalTimesteps);
            case "a3c":
                var a3c = options.Hyperparameters.Deserialize<A3cConfig>(HyperparameterResolver.Json)!;
                return (new A3cAgent(a3c, observationSpace, actionSpace, device, options.Seed), a3c.TotalTimesteps);
            case "impala":
                var impala = options.Hyperparameters.Deserialize<ImpalaConfig>(HyperparameterResolver.Json)!;
                return (new ImpalaAgent(impala, observationSpace, actionSpace, device, options.Seed), impala.TotalTimesteps);
            default:
                var config = options.Hyperparameters.Deserialize<DqnConfig>(HyperparameterResolver.Json)!;
                return (new DqnAgent(config, observationSpace, actionSpace, device, options.Seed), config.TotalTimesteps);
        }
    }
}
