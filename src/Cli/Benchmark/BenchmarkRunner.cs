using System.Collections.Concurrent;
using System.Globalization;
using DeepRL.Agents.Benchmarking;
using DeepRL.Agents.Training;

namespace DeepRL.Cli.Benchmark;

/// <summary>
/// Runs the cells of a benchmark that have not finished, <c>parallel</c> child processes at a time, each with
/// cores ÷ parallel threads. A cell with a checkpoint resumes from it; one killed before its first checkpoint
/// starts over. A failing cell is recorded and the grid goes on. Cancelling stops every running child like Ctrl-C
/// (each saves a resumable checkpoint) and starts no more.
/// </summary>
public sealed class BenchmarkRunner(string folder, BenchmarkSpec spec, int parallel)
{
    private readonly ConcurrentDictionary<BenchmarkCell, CellProcess> _running = new();

    public string Folder => folder;

    public int Parallel => parallel;

    /// <summary>Threads each cell may use: the cores split between the cells that run at once.</summary>
    public int ThreadsPerCell => Math.Max(1, Environment.ProcessorCount / parallel);

    public IReadOnlyCollection<BenchmarkCell> Running => _running.Keys.ToList();

    /// <summary>Called when a cell starts (exit code null) or ends (its exit code).</summary>
    public Action<BenchmarkCell, int?>? CellChanged { get; init; }

    public async Task RunAsync(CancellationToken stop)
    {
        var todo = spec.Cells().Where(c => !BenchmarkResults.Read(folder, c).Finished).ToList();
        using var slots = new SemaphoreSlim(parallel);
        await Task.WhenAll(todo.Select(cell => RunCellAsync(cell, slots, stop)));
    }

    private async Task RunCellAsync(BenchmarkCell cell, SemaphoreSlim slots, CancellationToken stop)
    {
        try
        {
            await slots.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return; // stopped before this cell's turn: it stays pending for --resume
        }
        try
        {
            if (stop.IsCancellationRequested) return;
            var process = CellProcess.Start(folder, cell, TrainArguments(cell));
            _running[cell] = process;
            CellChanged?.Invoke(cell, null);
            using var onStop = stop.Register(process.RequestStop);
            int code = await process.Exited;
            _running.TryRemove(cell, out _);
            CellChanged?.Invoke(cell, code);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>The child's command line: resume the cell's run from its checkpoint, or start it (again) from scratch.</summary>
    public IReadOnlyList<string> TrainArguments(BenchmarkCell cell)
    {
        string runs = BenchmarkResults.RunsFolder(folder), run = Path.Combine(runs, cell.Name);
        if (Directory.Exists(run))
        {
            if (AtomicFile.ResolveDirectory(Path.Combine(run, "checkpoints", RunStore.LatestCheckpoint)) is not null)
                return ["--resume", run, "--no-progress"];
            Directory.Delete(run, recursive: true); // ended before its first checkpoint: nothing to resume
        }
        var args = new List<string>
        {
            "--env", cell.Env, "--algo", cell.Algo, "--seed", cell.Seed.ToString(CultureInfo.InvariantCulture), "--out", runs, "--name", cell.Name,
            "--no-progress", "--eval-every", spec.EvalEvery.ToString(CultureInfo.InvariantCulture),
            "--eval-episodes", spec.EvalEpisodes.ToString(CultureInfo.InvariantCulture),
            "--checkpoint-every", spec.CheckpointEvery.ToString(CultureInfo.InvariantCulture),
            // Checkpoints then hold DQN's replay buffer too (other algorithms have none), so a cell interrupted and
            // resumed ends exactly like an uninterrupted one: a resumed grid reports the same numbers.
            "--save-replay",
        };
        if (spec.Steps is long steps) args.AddRange(["--steps", steps.ToString(CultureInfo.InvariantCulture)]);
        foreach (var set in spec.Set) args.AddRange(["--set", set]);
        foreach (var assembly in spec.EnvAssemblies) args.AddRange(["--env-assembly", assembly]);
        bool a3c = cell.Algo == "a3c";
        string threadsKey = a3c ? "workers" : "torch_threads";
        if (!spec.Set.Any(s => s.StartsWith(threadsKey + "=", StringComparison.Ordinal)))
        {
            if (a3c) args.AddRange(["--workers", ThreadsPerCell.ToString(CultureInfo.InvariantCulture)]);
            else args.AddRange(["--set", $"torch_threads={ThreadsPerCell}"]);
        }
        return args;
    }
}
