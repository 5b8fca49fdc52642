using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster;

/// <summary>
/// Akka's own warnings and errors (a lost connection, a dropped oversized frame, a message that does not deserialize)
/// as one line each in DeepRL's log, instead of Akka's multi-line stack traces on stdout. The full event, with its
/// stack trace, is logged at Debug (<c>-v</c>). Akka creates its loggers by type name, so the target is process-wide:
/// every member in a process logs to the same place anyway.
/// </summary>
public sealed class AkkaLogBridge : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private static volatile ILogger? _target;

    public AkkaLogBridge()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Log);
    }

    /// <summary>Where Akka's events go from now on (null: standard error).</summary>
    public static void LogTo(ILogger? logger) => _target = logger;

    private static void Log(LogEvent e)
    {
        string message = e.Message?.ToString() ?? "";
        int newline = message.IndexOf('\n');
        string line = newline < 0 ? message : message[..newline].TrimEnd('\r', ' ', '[');
        if (e is Error { Cause: { } cause }) line += $" ({cause.GetType().Name}: {cause.Message.Split('\n')[0]})";
        var target = _target;
        if (target is null)
        {
            if (e.LogLevel() >= Akka.Event.LogLevel.WarningLevel) Console.Error.WriteLine($"akka {e.LogLevel()}: {line}");
            return;
        }
        if (e.LogLevel() >= Akka.Event.LogLevel.WarningLevel) target.LogWarning("akka: {Message}", line);
        target.LogDebug("akka {Level} [{Source}]: {Event}", e.LogLevel(), e.LogSource, e.ToString());
    }
}
