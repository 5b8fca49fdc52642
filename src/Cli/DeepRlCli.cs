using System.CommandLine;
using DeepRL.Cli.Commands;
using DeepRL.Environments;

namespace DeepRL.Cli;

/// <summary>
/// Builds the <c>deeprl</c> command tree and runs it. Errors the user can fix print one line and exit
/// with 2; unexpected failures exit with 1 and show the stack trace only with <c>--verbose</c>.
/// </summary>
public static class DeepRlCli
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Debug logging and full stack traces on errors",
        Recursive = true,
    };

    public static readonly Option<string[]> EnvAssembly = new("--env-assembly")
    {
        Description = "Assembly (.dll) with IEnvironmentPlugin classes registering custom environments (repeatable)",
        Recursive = true,
        DefaultValueFactory = _ => [],
    };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("DeepRL: deep reinforcement learning from the command line — train, evaluate, watch and benchmark agents.");
        root.Options.Add(Verbose);
        root.Options.Add(EnvAssembly);
        root.Subcommands.Add(EnvsCommand.Create());
        root.Subcommands.Add(CheckEnvCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(RecordCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(BenchmarkCommand.Create());
        root.Subcommands.Add(NodeCommand.Create());
        root.Subcommands.Add(BenchEnvCommand.Create());
        root.Subcommands.Add(BenchInferenceCommand.Create());
        root.Subcommands.Add(BenchImpalaCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());

        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        bool asksForHelp = args.Contains("--help") || args.Contains("-h") || args.Contains("-?");
        if (parse.Errors.Count > 0 && !asksForHelp)
        {
            // One line per problem in our words, instead of System.CommandLine's type names and a full help dump.
            foreach (var e in parse.Errors) error.WriteLine($"error: {ParseErrors.Explain(e.Message)}");
            string command = parse.CommandResult.Command == root ? "deeprl" : $"deeprl {parse.CommandResult.Command.Name}";
            error.WriteLine($"(see '{command} --help')");
            return 2;
        }
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception ex)
        {
            return ReportError(ex, error, parse.GetValue(Verbose));
        }
    }

    /// <summary>Creates the context for a command: loads plugin assemblies, sets up logging.</summary>
    public static CliContext Context(ParseResult parse)
    {
        var registry = EnvRegistry.Default;
        foreach (string path in parse.GetValue(EnvAssembly) ?? [])
        {
            try
            {
                registry.LoadPlugins(path);
            }
            catch (DuplicateEnvIdException)
            {
                // Loading the same plugin twice in one process (tests) is harmless.
            }
        }
        return new CliContext(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(Verbose), registry);
    }

    /// <summary>
    /// Loads the plugin assemblies a run was trained with (recorded in its config.json), so eval/watch/record/resume
    /// of a custom-env run need no --env-assembly; says clearly when a recorded file has moved.
    /// </summary>
    public static void LoadRunAssemblies(CliContext ctx, DeepRL.Agents.Training.RunOptions options, string runPath)
    {
        if (ctx.Registry.Contains(options.EnvId)) return;
        foreach (string path in options.EnvAssemblies)
        {
            if (!File.Exists(path))
                throw new CliException($"Run {runPath} was trained with environments from '{path}', which no longer exists. " +
                                       "Pass the assembly's new location with --env-assembly PATH.");
            try
            {
                ctx.Registry.LoadPlugins(path);
            }
            catch (DuplicateEnvIdException)
            {
                // Loaded before in this process.
            }
        }
    }

    private static int ReportError(Exception ex, TextWriter error, bool verbose)
    {
        var inner = ex is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : ex;
        if (inner is System.Reflection.TargetInvocationException { InnerException: { } tie }) inner = tie;
        bool userError = inner is CliException or ArgumentException or FormatException or FileNotFoundException
            or DirectoryNotFoundException or InvalidDataException or NotSupportedException or NonFiniteValueException or EnvironmentException
            or DeepRL.Agents.Training.RunStorageException;
        string message = inner.Message;
        if (inner is System.Runtime.InteropServices.ExternalException && message.Contains("frame #0", StringComparison.Ordinal))
        {
            // libtorch appends dozens of native frames: keep its first line (what failed), and say what to change.
            message = "libtorch: " + message.Split('\n')[0].Trim();
            if (message.Contains("can't allocate memory", StringComparison.Ordinal))
            {
                message += ". The network, batch or buffer is too large for this machine's memory: reduce net_arch, batch_size, num_envs or buffer_size.";
                userError = true;
            }
        }
        error.WriteLine($"error: {message}");
        if (verbose) error.WriteLine(inner.ToString());
        else if (!userError) error.WriteLine("(run with --verbose for the stack trace)");
        return userError ? 2 : 1;
    }
}
