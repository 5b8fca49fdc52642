using System.CommandLine;
using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl eval</c>: mean ± std return of an agent over N episodes.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var env = CommonOptions.Env(required: false);
        var envOptions = CommonOptions.EnvOptions();
        var agent = new Option<string>("--agent") { Description = "Built-in agent to evaluate: random", DefaultValueFactory = _ => "random" };
        var episodes = CommonOptions.Episodes(10);
        var seed = CommonOptions.Seed();
        var cmd = new Command("eval", "Evaluate an agent: mean ± std return and episode length over N episodes")
        {
            env, envOptions, agent, episodes, seed,
        };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            string? id = parse.GetValue(env);
            if (id is null) throw new CliException("eval needs --env ID (with --agent random).");
            int n = parse.GetValue(episodes);
            if (n <= 0) throw new CliException($"--episodes must be at least 1, got {n}.");
            string agentName = parse.GetValue(agent)!.ToLowerInvariant();
            if (agentName != "random") throw new CliException($"Unknown --agent '{agentName}'; built-in agents: random.");
            int s = parse.GetValue(seed) ?? 0;
            using var e = ctx.Registry.Make(id, Environments.EnvOptions.Parse(parse.GetValue(envOptions)!));
            var log = ctx.Logger("eval");
            log.LogInformation("Evaluating {Agent} on {Env} for {Episodes} episodes (seed {Seed})", agentName, id, n, s);
            var stats = EpisodeRunner.Run(e, new RandomPolicy(e.ActionSpace, s), n, s,
                (i, ret, len) => log.LogDebug("episode {Episode}: return {Return:F2}, length {Length}", i + 1, ret, len));
            ctx.Output.WriteLine($"{id} {agentName}: {stats}");
            return 0;
        });
        return cmd;
    }
}
