using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster.Node;

/// <summary>
/// A DeepRL cluster node: joins (or starts) the cluster and trains the cells coordinators give it, <see cref="NodeOptions.Slots"/>
/// at a time, as child processes started by an <see cref="ICellLauncher"/>. Runs until cancelled; then its running cells
/// save checkpoints that go back to the coordinator, and it leaves the cluster. A node the cluster downs (cut off too long)
/// joins again with a fresh identity.
/// </summary>
public sealed class ClusterNode(NodeOptions options, ICellLauncher launcher, ILogger log)
{
    /// <summary>How long running cells get to checkpoint and ship when the node is stopped.</summary>
    public static readonly TimeSpan LeaveTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Called once the node listens, with HOST:PORT.</summary>
    public Action<string>? Listening { get; init; }

    public async Task RunAsync(CancellationToken stop)
    {
        options.Validate();
        Directory.CreateDirectory(options.WorkDir);
        var cluster = options.Cluster;
        var cancelled = Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        bool first = true;
        while (!stop.IsCancellationRequested)
        {
            var system = ClusterConfig.CreateSystem(cluster, ClusterConfig.NodeRole, log);
            var member = Akka.Cluster.Cluster.Get(system);
            var self = member.SelfAddress;
            string host = self.Host!.Trim('[', ']'); // Akka keeps IPv6 hosts in brackets
            string endpoint = $"{(host.Contains(':') ? $"[{host}]" : host)}:{self.Port}";
            string name = options.Name ?? $"{Environment.MachineName}:{self.Port}";
            var actor = system.ActorOf(Props.Create(() => new NodeActor(options, launcher, log, name)), "node");
            system.ActorOf(Props.Create(() => new Impala.NodeImpalaActor(options, name, log)), Impala.NodeImpalaActor.Name);
            if (cluster.Join.Count == 0) member.Join(self);
            else member.JoinSeedNodes(ClusterConfig.Seeds(cluster));
            if (first) Listening?.Invoke(endpoint);
            first = false;
            // A restarted member keeps its port, so the others (and new coordinators) find it where they did.
            cluster = cluster with { Port = self.Port ?? cluster.Port };
            await Task.WhenAny(cancelled, system.WhenTerminated);
            if (!stop.IsCancellationRequested)
            {
                log.LogWarning("This node was removed from the cluster; joining again");
                await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                continue;
            }
            var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            actor.Tell(new NodeActor.Leave(left));
            try
            {
                await left.Task.WaitAsync(LeaveTimeout);
            }
            catch (TimeoutException)
            {
                log.LogWarning("Running cells did not hand back within {Timeout}; leaving anyway (the coordinator resumes them from their last shipped checkpoints)", LeaveTimeout);
            }
            await Shutdown.Leave(system, log);
        }
    }
}
