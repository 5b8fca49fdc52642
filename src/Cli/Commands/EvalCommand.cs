using System.CommandLine;
using DeepRL.Agents;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Deployment;
using DeepRL.Environments.Evaluation;
using DeepRL.Inference;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl eval</c>: mean ± std return of a trained run or a built-in agent over N episodes.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var env = CommonOptions.Env(required: false);
        var envOptions = CommonOptions.EnvOptions();
        var agent = new Option<string>("--agent") { Description = "Built-in agent to evaluate when no --run is given: random", DefaultValueFactory = _ => "random" };
        var run = new Option<string?>("--run") { Description = "Run folder of a trained agent (runs/…)" };
        var onnx = new Option<string?>("--onnx") { Description = "An exported policy (deeprl export) to evaluate with ONNX Runtime instead of a run" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint of --run to load: best or latest (default: the one summary.json recommends, else best when present)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var episodes = CommonOptions.Episodes(10);
        var seed = CommonOptions.Seed();
        var episodesOut = new Option<string?>("--episodes-csv")
        {
            Description = "Also write every episode's return and length to this CSV (episode,return,length), for statistics of your own (e.g. a success rate)",
        };
        var cmd = new Command("eval", "Evaluate an agent deterministically: mean ± std return and episode length over N episodes")
        {
            env, envOptions, agent, run, onnx, checkpoint, device, episodes, seed, episodesOut,
        };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            int n = parse.GetValue(episodes);
            if (n <= 0) throw new CliException($"--episodes must be at least 1, got {n}.");
            int s = parse.GetValue(seed) ?? 0;
            var log = ctx.Logger("eval");

            if (parse.GetValue(onnx) is string onnxPath)
            {
                if (parse.GetValue(run) is not null) throw new CliException("Give --run or --onnx, not both.");
                using var policy = LoadOnnx(onnxPath);
                string id = parse.GetValue(env) ?? policy.EnvId;
                var options = new Environments.EnvOptions(policy.EnvOptions.ToDictionary());
                CheckCompatible(ctx, policy, onnxPath, id, options);
                log.LogInformation("Evaluating {File} on {Env} for {Episodes} episodes (seed {Seed})", onnxPath, id, n, s);
                var stats = Evaluator.Evaluate(new OnnxBatchPolicy(policy), ctx.Registry, id, options, n, s);
                ctx.Output.WriteLine($"{id} {policy.Algorithm} (onnx {Path.GetFileName(onnxPath)}, step {policy.Metadata.GetValueOrDefault(PolicyFile.StepsKey, "?")}): {stats}{Ci(stats, n)}");
                WriteEpisodes(parse.GetValue(episodesOut), stats);
                return 0;
            }

            if (parse.GetValue(run) is string runPath)
            {
                var loaded = LoadRun(ctx, runPath, parse.GetValue(checkpoint), parse.GetValue(device)!);
                using var _ = loaded.Agent;
                string id = parse.GetValue(env) ?? loaded.Options.EnvId;
                using (var target = ctx.Registry.Make(id, new Environments.EnvOptions(loaded.Options.EnvOptions))) CheckCompatible(loaded, id, target);
                log.LogInformation("Evaluating {Run} ({Checkpoint}) on {Env} for {Episodes} episodes (seed {Seed})", loaded.Directory.Name, loaded.CheckpointName, id, n, s);
                var stats = Evaluator.Evaluate(loaded.Agent.GreedyPolicy(), ctx.Registry, id, new Environments.EnvOptions(loaded.Options.EnvOptions), n, s);
                ctx.Output.WriteLine($"{id} {loaded.Options.Algo} (checkpoint {loaded.CheckpointName}, step {loaded.Step}): {stats}{Ci(stats, n)}");
                WriteEpisodes(parse.GetValue(episodesOut), stats);
                return 0;
            }

            string envId = parse.GetValue(env) ?? throw new CliException("eval needs --run runs/X, or --env ID with --agent random.");
            string agentName = parse.GetValue(agent)!.ToLowerInvariant();
            if (agentName != "random") throw new CliException($"Unknown --agent '{agentName}'; built-in agents: random (trained agents: --run runs/X).");
            using var e = ctx.Registry.Make(envId, Environments.EnvOptions.Parse(parse.GetValue(envOptions)!));
            log.LogInformation("Evaluating {Agent} on {Env} for {Episodes} episodes (seed {Seed})", agentName, envId, n, s);
            var randomStats = EpisodeRunner.Run(e, new RandomPolicy(e.ActionSpace, s), n, s,
                (i, ret, len) => log.LogDebug("episode {Episode}: return {Return:F2}, length {Length}", i + 1, ret, len));
            ctx.Output.WriteLine($"{envId} {agentName}: {randomStats}");
            WriteEpisodes(parse.GetValue(episodesOut), randomStats);
            return 0;
        });
        return cmd;
    }

    private static void WriteEpisodes(string? path, EpisodeStats stats)
    {
        if (path is null) return;
        var csv = new System.Text.StringBuilder("episode,return,length\n");
        for (int i = 0; i < stats.Count; i++)
            csv.Append(System.FormattableString.Invariant($"{i + 1},{stats.Returns[i]:R},{stats.Lengths[i]}\n"));
        try
        {
            AtomicFile.WriteAllText(path, csv.ToString());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot write --episodes-csv {path}: {ex.Message}");
        }
    }

    private static string Ci(EpisodeStats stats, int episodes)
    {
        var (low, high) = stats.MeanReturnCi95;
        return episodes >= 2 ? $", 95% CI of the mean {Numbers.Short(low)} to {Numbers.Short(high)}" : "";
    }

    /// <summary>Loads an exported policy for eval, watch and record; a missing or foreign file is a clear CLI error.</summary>
    public static OnnxPolicy LoadOnnx(string path)
    {
        try
        {
            return OnnxPolicy.Load(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>Refuses to run an exported policy in an env whose spaces differ from the ones in its file.</summary>
    public static void CheckCompatible(CliContext ctx, OnnxPolicy policy, string file, string envId, Environments.EnvOptions options)
    {
        using var env = ctx.Registry.Make(envId, options);
        bool fits = env.ObservationSpace.Shape.SequenceEqual(policy.ObservationSpace.Shape) && env.ActionSpace.GetType() == policy.ActionSpace.GetType()
                    && (env.ActionSpace is not Environments.Spaces.Discrete d || d.N == ((Environments.Spaces.Discrete)policy.ActionSpace).N)
                    && (env.ActionSpace is not Environments.Spaces.Box b || b.FlatSize == ((Environments.Spaces.Box)policy.ActionSpace).FlatSize);
        if (!fits)
            throw new CliException($"{file} was exported from {policy.EnvId} (observations {policy.ObservationSpace}, actions {policy.ActionSpace}); " +
                                   $"{envId} has observations {env.ObservationSpace} and actions {env.ActionSpace}. Use an env with the same spaces, or drop --env.");
    }

    /// <summary>Refuses to run a trained agent in an env whose observation or action space differs from its run's.</summary>
    public static void CheckCompatible(LoadedRun loaded, string envId, IEnvironment env)
    {
        var agent = loaded.Agent;
        if (SpaceCompatibility.Fits(agent, env)) return;
        throw new CliException($"Run {loaded.Directory.Name} was trained on {loaded.Options.EnvId} (observations {agent.ObservationSpace}, " +
                               $"actions {agent.ActionSpace}); {envId} has observations {env.ObservationSpace} and actions {env.ActionSpace}. " +
                               $"Use an env with the same spaces, or drop --env to use {loaded.Options.EnvId}.");
    }

    public sealed record LoadedRun(RunDirectory Directory, RunOptions Options, IAgent Agent, string CheckpointName, long Step);

    /// <summary>Opens a run folder and loads an agent from one of its checkpoints (shared with watch/record).</summary>
    public static LoadedRun LoadRun(CliContext ctx, string runPath, string? checkpointName, string device)
    {
        var dir = RunDirectory.Open(runPath);
        var options = RunStore.ReadOptions(dir);
        DeepRlCli.LoadRunAssemblies(ctx, options, dir.Path);
        string name = checkpointName?.ToLowerInvariant() ?? RunStore.RecommendedCheckpoint(dir);
        if (name is not (RunStore.BestCheckpoint or RunStore.LatestCheckpoint))
            throw new CliException($"--checkpoint must be best or latest, got '{checkpointName}'.");
        string folder = RunStore.CheckpointFolder(dir, name);
        var (agent, _) = AgentCatalog.Load(options, ctx.Registry, folder, DeviceResolver.Resolve(device), includeTrainingState: false);
        return new LoadedRun(dir, options, agent, name, RunStore.CheckpointStep(folder));
    }
}
