using DeepRL.Agents.Training;
using System.CommandLine;
using DeepRL.Environments;
using DeepRL.Environments.Evaluation;

namespace DeepRL.Cli.Commands;

/// <summary>
/// "Which agent in which environment" for watch and record: a trained run (--run, --checkpoint), an exported
/// policy (--onnx) or a built-in agent (--env, --agent random).
/// </summary>
public sealed class AgentSource
{
    public Option<string?> Env { get; } = new("--env", "-e") { Description = "Environment id (with --agent random), or to override the run's env" };

    public Option<string[]> EnvOptions { get; } = CommonOptions.EnvOptions();

    public Option<string> Agent { get; } = new("--agent") { Description = "Built-in agent when no --run is given: random", DefaultValueFactory = _ => "random" };

    public Option<string?> Run { get; } = new("--run") { Description = "Run folder of a trained agent (runs/…)" };

    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "best (default when present) or latest" };

    public Option<string?> Onnx { get; } = new("--onnx") { Description = "An exported policy (deeprl export), run with ONNX Runtime instead of a run" };

    public IEnumerable<Option> All => [Env, EnvOptions, Agent, Run, Checkpoint, Onnx];

    public sealed record Resolved(string EnvId, IEnvironment Environment, IActionPolicy Policy, Func<float[], double?>? Value, IDisposable? Owner) : IDisposable
    {
        public void Dispose()
        {
            Environment.Dispose();
            Owner?.Dispose();
        }
    }

    public Resolved Resolve(CliContext ctx, ParseResult parse, int seed)
    {
        if (parse.GetValue(Onnx) is string file)
        {
            if (parse.GetValue(Run) is not null) throw new CliException("Give --run or --onnx, not both.");
            var policy = EvalCommand.LoadOnnx(file);
            try
            {
                string id = parse.GetValue(Env) ?? policy.EnvId;
                var options = new Environments.EnvOptions(policy.EnvOptions.ToDictionary());
                EvalCommand.CheckCompatible(ctx, policy, file, id, options);
                var env = ctx.Registry.Make(id, options);
                var adapter = new BatchPolicyAdapter(new OnnxBatchPolicy(policy), env.ActionSpace);
                return new Resolved(id, env, adapter, adapter.Value, policy);
            }
            catch
            {
                policy.Dispose();
                throw;
            }
        }
        if (parse.GetValue(Run) is string run)
        {
            var loaded = EvalCommand.LoadRun(ctx, run, parse.GetValue(Checkpoint), "cpu");
            string id = parse.GetValue(Env) ?? loaded.Options.EnvId;
            var env = ctx.Registry.Make(id, new Environments.EnvOptions(loaded.Options.EnvOptions));
            try
            {
                EvalCommand.CheckCompatible(loaded, id, env);
            }
            catch
            {
                env.Dispose();
                loaded.Agent.Dispose();
                throw;
            }
            var adapter = new BatchPolicyAdapter(loaded.Agent.GreedyPolicy(), env.ActionSpace);
            return new Resolved(id, env, adapter, adapter.Value, loaded.Agent);
        }
        string envId = parse.GetValue(Env) ?? throw new CliException("Give --run runs/X, or --env ID with --agent random.");
        string agent = parse.GetValue(Agent)!.ToLowerInvariant();
        if (agent != "random") throw new CliException($"Unknown --agent '{agent}'; built-in agents: random (trained agents: --run runs/X).");
        var e = ctx.Registry.Make(envId, Environments.EnvOptions.Parse(parse.GetValue(EnvOptions)!));
        return new Resolved(envId, e, new RandomPolicy(e.ActionSpace, seed), null, null);
    }
}
