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

    /// <summary>
    /// Null when a message from the network is well-formed; otherwise what is wrong with it, after logging that it was
    /// ignored (naming the message and its sender). Every member checks what it receives this way before acting on it.
    /// </summary>
    protected string? Malformed(Protocol.IDeepRlMessage message)
    {
        if (message.Validate() is not { } problem) return null;
        Log.LogWarning("Ignored a malformed {Message} from {Address}: {Problem}", message.GetType().Name, Sender.Path.Address, problem);
        return problem;
    }

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
