using Microsoft.Extensions.Logging;

namespace DeepRL.Cli;

/// <summary>
/// Writes log lines to stderr on the calling thread. Microsoft's console logger hands lines to a background
/// thread; during training that thread's allocations can start a garbage collection while the main thread
/// is inside a TorchSharp call, and TorchSharp 0.107 passes temporary Scalars to native code without keeping
/// them alive — a collection at that moment finalizes them mid-call and crashes the run. Logging on the
/// training thread keeps every allocation, and so every collection, on that one thread.
/// </summary>
public sealed class SynchronousConsoleLoggerProvider(TextWriter writer, LogLevel minimum) : ILoggerProvider
{
    private readonly object _lock = new();
    private readonly TextWriter _writer = writer;
    private readonly LogLevel _minimumLevel = minimum;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(SynchronousConsoleLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string level = logLevel switch
            {
                LogLevel.Trace => "trce",
                LogLevel.Debug => "dbug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                _ => "crit",
            };
            string line = $"{DateTime.Now:HH:mm:ss} {level}: {category}[{eventId.Id}] {formatter(state, exception)}";
            lock (provider._lock)
            {
                provider._writer.WriteLine(line);
                if (exception is not null) provider._writer.WriteLine(exception);
                provider._writer.Flush();
            }
        }
    }
}
