namespace DeepRL.Agents.Benchmarking;

/// <summary>
/// Trains the unfinished cells of a benchmark folder: local child processes (the CLI's <c>--parallel</c> runner) or
/// the nodes of a cluster. Either way each cell's run folder ends up in the benchmark folder's runs/, so the report,
/// eval, watch and plot work the same.
/// </summary>
public interface IGridExecutor
{
    /// <summary>Cells being trained now.</summary>
    IReadOnlyCollection<BenchmarkCell> Running { get; }

    /// <summary>Where a running cell is trained (a node's name), or null on this machine.</summary>
    string? NodeOf(BenchmarkCell cell);

    /// <summary>One line for the live view: how the grid is run (e.g. "2 at a time", "cluster: 3 nodes").</summary>
    string Describe();

    /// <summary>Runs until every cell has ended or <paramref name="stop"/> is cancelled (running cells then checkpoint).</summary>
    Task RunAsync(CancellationToken stop);
}
