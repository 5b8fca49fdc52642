using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cli;

/// <summary>
/// Ctrl-C, SIGTERM and SIGHUP turned into a cancellation: the first one logs what stopping does, every one cancels, and
/// the process is not killed (the command finishes its own orderly stop).
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    /// <param name="log">Where the first signal is reported.</param>
    /// <param name="whatHappens">What stopping does, e.g. "leaving the cluster".</param>
    public StopSignals(ILogger log, string whatHappens)
    {
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            if (!_stop.IsCancellationRequested) log.LogWarning("{Signal}: {What}", signal.Signal, whatHappens);
            _stop.Cancel();
        }
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, Stop))];
    }

    public CancellationToken Token => _stop.Token;

    public bool IsStopRequested => _stop.IsCancellationRequested;

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stop.Dispose();
    }
}
