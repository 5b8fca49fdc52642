using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster;

/// <summary>Leaving the cluster and stopping a member's actor system, each step bounded.</summary>
internal static class Shutdown
{
    public static async Task Leave(ActorSystem system, ILogger log)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        try
        {
            await cluster.LeaveAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            log.LogWarning("Leaving the cluster took over 15 s; stopping anyway (the others down this member)");
        }
        try
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            log.LogWarning("The actor system did not stop within 15 s");
        }
    }
}
