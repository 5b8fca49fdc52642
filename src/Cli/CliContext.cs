using System.CommandLine;
using DeepRL.Environments;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DeepRL.Cli;

/// <summary>What every command needs: output streams, a logger, the environment registry.</summary>
public sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, bool verbose, EnvRegistry registry)
    {
        Output = output;
        Error = error;
        Verbose = verbose;
        Registry = registry;
        LoggerFactory = CreateLoggerFactory(error, verbose ? LogLevel.Debug : LogLevel.Information);
        _quietLoggerFactory = new Lazy<ILoggerFactory>(() => CreateLoggerFactory(error, LogLevel.Warning));
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = ReferenceEquals(output, System.Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ReferenceEquals(output, System.Console.Out) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = ReferenceEquals(output, System.Console.Out) ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Redirected output (files, pipes, tests) has no terminal width: keep tables on one line per row.
        if (!ReferenceEquals(output, System.Console.Out) || System.Console.IsOutputRedirected) Console.Profile.Width = 200;
    }

    private readonly Lazy<ILoggerFactory> _quietLoggerFactory;

    // Logs go to the error writer (stderr for the program; the test's writer in tests), results to the output
    // writer, written on the calling thread: see SynchronousConsoleLoggerProvider.
    private static ILoggerFactory CreateLoggerFactory(TextWriter error, LogLevel minimum) => Microsoft.Extensions.Logging.LoggerFactory.Create(b => b
        .AddProvider(new SynchronousConsoleLoggerProvider(error, minimum))
        .SetMinimumLevel(minimum));

    /// <summary>A logger that only passes warnings and errors (while a live progress bar owns the terminal).</summary>
    public ILogger QuietLogger(string category) => _quietLoggerFactory.Value.CreateLogger(category);

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public bool Verbose { get; }

    public EnvRegistry Registry { get; }

    public ILoggerFactory LoggerFactory { get; }

    public IAnsiConsole Console { get; }

    public ILogger Logger(string category) => LoggerFactory.CreateLogger(category);
}
