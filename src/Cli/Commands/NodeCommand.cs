using System.CommandLine;
using DeepRL.Cli.Benchmark;
using DeepRL.Cluster.Node;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cli.Commands;

/// <summary>
/// <c>deeprl node</c>: a cluster member that trains benchmark cells for coordinators (<c>deeprl benchmark --cluster</c>).
/// Ctrl-C / SIGTERM: running cells save checkpoints that go back to the coordinator, then the node leaves.
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var join = new Option<string[]>("--join") { Description = "HOST:PORT of a member to join (repeatable); none starts a new cluster", DefaultValueFactory = _ => [] };
        var slots = new Option<int?>("--slots") { Description = "Cells trained at once (default: one per core)" };
        var workDir = new Option<string?>("--work-dir") { Description = "Folder for the run folders and logs of cells trained here (default: deeprl-node under the temp folder)" };
        var name = new Option<string?>("--name") { Description = "The node's name in logs and results.csv (default HOST:PORT)" };
        var shipEvery = new Option<double>("--ship-every")
        {
            Description = "Seconds between shipments of a running cell's newest checkpoint to the coordinator (its first goes at once)",
            DefaultValueFactory = _ => 30,
        };
        var clusterCli = new ClusterCliOptions();
        var cmd = new Command("node", "Join (or start) a DeepRL cluster and train benchmark cells for it") { join, slots, workDir, name, shipEvery };
        clusterCli.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            var log = ctx.Logger("node");
            var options = new NodeOptions
            {
                Cluster = clusterCli.Read(parse, parse.GetValue(join)!),
                Slots = parse.GetValue(slots) ?? Environment.ProcessorCount,
                WorkDir = Path.GetFullPath(parse.GetValue(workDir) ?? Path.Combine(Path.GetTempPath(), "deeprl-node")),
                Name = parse.GetValue(name),
                ShipEvery = TimeSpan.FromSeconds(parse.GetValue(shipEvery)),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message);
            }
            using var stop = new StopSignals(log, "leaving the cluster (running cells checkpoint and go back to the coordinator)");
            var node = new ClusterNode(options, SelfCommand.Launcher(), log)
            {
                Listening = endpoint =>
                {
                    ctx.Output.WriteLine($"node listening on {endpoint} ({options.Slots} slot(s), work dir {options.WorkDir})");
                    ctx.Output.Flush();
                },
            };
            node.RunAsync(stop.Token).GetAwaiter().GetResult();
            ctx.Output.WriteLine("node stopped");
            return 0;
        });
        return cmd;
    }
}
