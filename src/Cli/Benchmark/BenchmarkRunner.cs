using System.Collections.Concurrent;
using DeepRL.Agents.Benchmarking;

namespace DeepRL.Cli.Benchmark;

/// <summary>
/// Runs the cells of a benchmark that have not finished, <c>parallel</c> child processes at a time, each with
/// cores ÷ parallel threads. A cell with a checkpoint resumes from it; one killed before its first checkpoint
/// starts over. A failing cell is recorded and the grid goes on. Cancelling stops every running child like Ctrl-C
/// (each saves a resumable checkpoint) and starts no more.
/// </summary>
public sealed class BenchmarkRunner(string folder, BenchmarkSpec spec, int parallel) : IGridExecutor
{
    private readonly ConcurrentDictionary<BenchmarkCell, CellProcess> _running = new();

    public string Folder => folder;

    public int Parallel => parallel;

    /// <summary>Threads each cell may use: the cores split between the cells that run at once.</summary>
    public int ThreadsPerCell => Math.Max(1, Environment.ProcessorCount / parallel);

    public IReadOnlyCollection<BenchmarkCell> Running => _running.Keys.ToList();

    public string? NodeOf(BenchmarkCell cell) => null;

    public string Describe() => $"{parallel} at a time";

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
    public IReadOnlyList<string> TrainArguments(BenchmarkCell cell) =>
        CellArguments.For(spec, cell, BenchmarkResults.RunsFolder(folder), ThreadsPerCell);
}
