using System.CommandLine;
using Spectre.Console;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl envs</c>: the registered environments with their spaces and thresholds.</summary>
public static class EnvsCommand
{
    public static Command Create()
    {
        var cmd = new Command("envs", "List registered environments: id, observation and action spaces, time limit, reward threshold");
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("id", "observation", "action", "max steps", "threshold", "description");
            foreach (var spec in ctx.Registry.Specs.OrderBy(s => s.Family).ThenBy(s => s.Id))
            {
                using var env = spec.Factory(Environments.EnvOptions.None);
                table.AddRow(
                    Markup.Escape(spec.Id),
                    Markup.Escape(env.ObservationSpace.ToString()),
                    Markup.Escape(env.ActionSpace.ToString()!),
                    spec.MaxEpisodeSteps?.ToString() ?? "-",
                    spec.RewardThreshold?.ToString("g4") ?? "-",
                    Markup.Escape(spec.Description));
            }
            ctx.Console.Write(table);
            return 0;
        });
        return cmd;
    }
}
