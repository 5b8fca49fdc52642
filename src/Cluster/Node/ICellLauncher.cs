namespace DeepRL.Cluster.Node;

/// <summary>
/// Starts the training of one benchmark cell on a node: the CLI's launcher runs a child <c>deeprl train</c> process, as a
/// local grid does, so a cell that crashes or is killed stays in its cell.
/// </summary>
public interface ICellLauncher
{
    /// <param name="trainArgs">The arguments after <c>deeprl train</c>.</param>
    /// <param name="logFile">Where the cell's output goes.</param>
    IRunningCell Start(IReadOnlyList<string> trainArgs, string logFile);
}

/// <summary>A cell being trained.</summary>
public interface IRunningCell
{
    /// <summary>Completes with the exit code once the cell has ended.</summary>
    Task<int> Exited { get; }

    /// <summary>Asks the cell to stop like Ctrl-C does: it saves a resumable checkpoint and exits.</summary>
    void RequestStop();
}
