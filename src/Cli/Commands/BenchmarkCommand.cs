using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DeepRL.Agents.Benchmarking;
using DeepRL.Cli.Benchmark;
using DeepRL.Cluster;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DeepRL.Cli.Commands;

/// <summary>
/// <c>deeprl benchmark</c>: trains every env × algorithm × seed as its own child process, then writes results.csv,
/// summary.md (IQM with stratified-bootstrap CIs) and plots. <c>--resume DIR</c> finishes an interrupted or partly
/// failed benchmark; <c>deeprl benchmark report DIR</c> rebuilds the outputs from the run folders.
/// </summary>
public static class BenchmarkCommand
{
    public static Command Create()
    {
        var suite = new Option<string?>("--suite") { Description = $"A named suite ({string.Join(", ", BenchmarkSpec.Suites)}) or a suite file; other options override it" };
        var envs = new Option<string?>("--envs") { Description = "Comma-separated env ids, e.g. CartPole-v1,MinAtar/Breakout-v1" };
        var algos = new Option<string?>("--algos") { Description = "Comma-separated algorithms, e.g. dqn,ppo,a2c,a3c" };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per env × algorithm (seeds 1…N; default 5)" };
        var steps = CommonOptions.Steps("--steps", "Env steps per cell (default: each algorithm's per-env budget)");
        var evalEvery = CommonOptions.Steps("--eval-every", "Env steps between evaluations (default 10000)");
        var evalEpisodes = new Option<int?>("--eval-episodes") { Description = "Episodes per evaluation (default 30)" };
        var checkpointEvery = CommonOptions.Steps("--checkpoint-every", "Env steps between checkpoints of each cell (default 25000)");
        var set = new Option<string[]>("--set") { Description = "Hyperparameter override for every cell (repeatable)", DefaultValueFactory = _ => [] };
        var parallel = new Option<int?>("--parallel", "-p") { Description = "Cells trained at once; the cores are split between them (default 1; --resume keeps the benchmark's)" };
        var output = new Option<string?>("--out") { Description = "Benchmark folder (default benchmarks/<time>)" };
        var resume = new Option<string?>("--resume") { Description = "Finish the benchmark in this folder: skips finished cells, resumes the others" };
        var noProgress = new Option<bool>("--no-progress") { Description = "Log lines instead of the live table" };
        var cluster = new Option<string[]>("--cluster") { Description = "HOST:PORT of a `deeprl node` (repeatable): run the cells on the cluster's nodes instead of here", DefaultValueFactory = _ => [] };
        var clusterCli = new ClusterCliOptions();
        var slots = new Option<int?>("--slots") { Description = "With --cluster: also train this many cells on this machine (default: none, it only coordinates)" };
        var cmd = new Command("benchmark", "Train a grid of envs × algorithms × seeds (one child process per cell, here or on cluster nodes) and report IQMs with bootstrap CIs and plots")
        {
            suite, envs, algos, seeds, steps, evalEvery, evalEpisodes, checkpointEvery, set, parallel, output, resume, noProgress, cluster, slots,
        };
        clusterCli.AddTo(cmd);
        var reportFolder = new Argument<string>("folder") { Description = "A benchmark folder" };
        var report = new Command("report", "Rebuild results.csv, summary.md and plots/ of a benchmark folder from its runs") { reportFolder };
        report.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            string folder = parse.GetValue(reportFolder)!;
            var spec = BenchmarkSpec.Read(folder);
            LoadAssemblies(ctx, spec);
            var results = BenchmarkOutputs.Write(folder, spec, ctx.Registry);
            PrintOutcome(ctx, folder, results);
            return 0;
        });
        cmd.Subcommands.Add(report);

        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            var log = ctx.Logger("benchmark");
            string folder;
            BenchmarkSpec spec;
            if (parse.GetValue(resume) is string resumeFolder)
            {
                Option[] fixedForBenchmark = [suite, envs, algos, seeds, steps, evalEvery, evalEpisodes, checkpointEvery, set, output];
                var given = fixedForBenchmark.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (given.Count > 0)
                    throw new CliException($"--resume finishes the benchmark defined in {resumeFolder}/{BenchmarkSpec.FileName}, so {string.Join(", ", given)} cannot be given; start a new benchmark to change them.");
                folder = resumeFolder;
                spec = BenchmarkSpec.Read(folder);
                LoadAssemblies(ctx, spec);
            }
            else
            {
                spec = parse.GetValue(suite) is string s ? BenchmarkSpec.LoadSuite(s) : new BenchmarkSpec();
                spec = spec with
                {
                    Envs = List(parse.GetValue(envs)) ?? spec.Envs,
                    Algos = List(parse.GetValue(algos))?.Select(a => a.ToLowerInvariant()).ToArray() ?? spec.Algos,
                    Seeds = parse.GetValue(seeds) ?? spec.Seeds,
                    Steps = parse.GetValue(steps) ?? spec.Steps,
                    EvalEvery = parse.GetValue(evalEvery) ?? spec.EvalEvery,
                    EvalEpisodes = parse.GetValue(evalEpisodes) ?? spec.EvalEpisodes,
                    CheckpointEvery = parse.GetValue(checkpointEvery) ?? spec.CheckpointEvery,
                    Set = [.. spec.Set, .. parse.GetValue(set)!],
                    EnvAssemblies = (parse.GetValue(DeepRlCli.EnvAssembly) ?? []).Select(Path.GetFullPath).ToArray(),
                    Parallel = parse.GetValue(parallel) ?? spec.Parallel ?? 1,
                };
                Validate(spec, ctx);
                folder = parse.GetValue(output) ?? Path.Combine("benchmarks", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
                    throw new CliException($"'{folder}' already exists and is not empty: choose another --out, or finish it with --resume {folder}.");
                Directory.CreateDirectory(folder);
                spec.Write(folder);
                File.WriteAllText(BenchmarkOutputs.CommandFile(folder), "deeprl " + string.Join(' ', parse.Tokens.Select(t => Quote(t.Value))));
            }
            int parallelCells = parse.GetValue(parallel) ?? spec.Parallel ?? 1;
            if (parallelCells < 1) throw new CliException($"--parallel must be at least 1, got {parallelCells}.");
            if (spec.Parallel is int recorded && recorded != parallelCells)
                log.LogWarning("This benchmark was started with --parallel {Recorded}; cells started from now on get {Threads} thread(s)/A3C worker(s) instead of {Before}",
                    recorded, Math.Max(1, Environment.ProcessorCount / parallelCells), Math.Max(1, Environment.ProcessorCount / recorded));

            void CellChanged(DeepRL.Agents.Benchmarking.BenchmarkCell cell, int? code)
            {
                if (code is null) log.LogInformation("{Cell}: started", cell.Name);
                else log.LogInformation("{Cell}: {Outcome}", cell.Name, Describe(BenchmarkResults.Read(folder, cell)));
            }
            int cells = spec.Cells().Count();
            string[] seedsToJoin = parse.GetValue(cluster)!;
            IGridExecutor runner;
            ClusterOptions? clusterOptions = null;
            if (seedsToJoin.Length > 0)
            {
                clusterOptions = clusterCli.Read(parse, seedsToJoin);
                runner = new ClusterGrid(folder, spec, clusterOptions, log) { CellChanged = CellChanged };
                log.LogInformation("Benchmark {Folder}: {Cells} cells ({Envs} env(s) × {Algos} algorithm(s) × {Seeds} seed(s)) on the cluster at {Cluster}",
                    folder, cells, spec.Envs.Length, spec.Algos.Length, spec.Seeds, string.Join(", ", seedsToJoin));
            }
            else
            {
                if (parse.GetResult(slots) is { Implicit: false }) throw new CliException("--slots gives the coordinator of a cluster grid cells of its own; without --cluster use --parallel.");
                var local = new BenchmarkRunner(folder, spec, parallelCells) { CellChanged = CellChanged };
                runner = local;
                log.LogInformation("Benchmark {Folder}: {Cells} cells ({Envs} env(s) × {Algos} algorithm(s) × {Seeds} seed(s)), {Parallel} at a time with {Threads} thread(s) each",
                    folder, cells, spec.Envs.Length, spec.Algos.Length, spec.Seeds, parallelCells, local.ThreadsPerCell);
            }

            // Ctrl-C, SIGTERM, SIGHUP: every running cell saves a resumable checkpoint and no new cell starts.
            using var stop = new StopSignals(log, "stopping the running cells (they save resumable checkpoints)");

            var clock = Stopwatch.StartNew();
            // With --slots the coordinator's machine is also a node: a second member in this process, joined to the same cluster.
            using var localNodeStop = new CancellationTokenSource();
            Task localNode = Task.CompletedTask;
            if (seedsToJoin.Length > 0 && parse.GetValue(slots) is int ownSlots)
            {
                var nodeOptions = new DeepRL.Cluster.Node.NodeOptions
                {
                    Cluster = clusterOptions! with { Port = 0 },
                    Slots = ownSlots,
                    WorkDir = Path.Combine(Path.GetFullPath(folder), ".node"),
                    Name = "coordinator",
                };
                localNode = Task.Run(() => new DeepRL.Cluster.Node.ClusterNode(nodeOptions, SelfCommand.Launcher(), log).RunAsync(localNodeStop.Token));
            }
            var run = runner.RunAsync(stop.Token);
            bool interactive = !parse.GetValue(noProgress) && ctx.Console.Profile.Capabilities.Interactive;
            if (interactive)
            {
                var view = new BenchmarkLiveView(folder, spec, runner, showNodes: seedsToJoin.Length > 0);
                ctx.Console.Live(view.Table(clock.Elapsed)).Start(live =>
                {
                    while (!run.Wait(500)) live.UpdateTarget(view.Table(clock.Elapsed));
                    live.UpdateTarget(view.Table(clock.Elapsed));
                });
            }
            run.GetAwaiter().GetResult();
            localNodeStop.Cancel();
            localNode.GetAwaiter().GetResult();

            var results = BenchmarkOutputs.Write(folder, spec, ctx.Registry);
            PrintOutcome(ctx, folder, results);
            if (stop.IsStopRequested)
            {
                string onCluster = seedsToJoin.Length > 0 ? " " + string.Join(' ', seedsToJoin.Select(s => "--cluster " + s)) : "";
                ctx.Output.WriteLine($"stopped; finish it with: deeprl benchmark --resume {folder}{onCluster}");
                return 130;
            }
            return results.All(r => r.Finished) ? 0 : 1;
        });
        return cmd;
    }

    private static void Validate(BenchmarkSpec spec, CliContext ctx)
    {
        try
        {
            spec.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
        foreach (var env in spec.Envs) ctx.Registry.GetSpec(env); // unknown ids: the registry lists the known ones
    }

    private static void LoadAssemblies(CliContext ctx, BenchmarkSpec spec)
    {
        foreach (var assembly in spec.EnvAssemblies)
        {
            if (!File.Exists(assembly)) throw new CliException($"The benchmark's environments come from '{assembly}', which no longer exists; put it back there.");
            try
            {
                ctx.Registry.LoadPlugins(assembly);
            }
            catch (DeepRL.Environments.DuplicateEnvIdException)
            {
            }
        }
    }

    private static void PrintOutcome(CliContext ctx, string folder, IReadOnlyList<CellResult> results)
    {
        int finished = results.Count(r => r.Finished);
        ctx.Output.WriteLine($"benchmark: {folder} ({finished}/{results.Count} cells finished)");
        foreach (var r in results.Where(r => !r.Finished)) ctx.Output.WriteLine($"  {r.Cell.Name}: {r.Status} (log: {Path.Combine(folder, "logs", r.Cell.Name + ".log")})");
        ctx.Output.WriteLine($"results: {Path.Combine(folder, BenchmarkReport.ResultsFile)}");
        ctx.Output.WriteLine($"summary: {Path.Combine(folder, BenchmarkReport.SummaryFile)}");
        ctx.Output.WriteLine($"plots:   {Path.Combine(folder, "plots")}");
        if (finished < results.Count) ctx.Output.WriteLine($"finish the rest with: deeprl benchmark --resume {folder}");
    }

    private static string Describe(CellResult r) =>
        r.Finished ? $"{r.Status}, final return {r.FinalReturn?.ToString("0.###", CultureInfo.InvariantCulture) ?? "—"} after {r.Steps:N0} steps" : r.Status;

    private static string[]? List(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Quote(string arg) => arg.Any(char.IsWhiteSpace) ? $"'{arg}'" : arg;
}
