using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster;

/// <summary>
/// A receive actor whose failing handler (a full disk, a file a user removed) is logged and the actor goes on: Akka's
/// default restart would forget every handshake, cell and transfer in flight.
/// </summary>
internal abstract class GuardedActor(ILogger log) : ReceiveActor
{
    protected ILogger Log { get; } = log;

    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.LogError(ex, "Handling {Message} failed: {Error}", message.GetType().Name, ex.Message);
            return true;
        }
    }
}
