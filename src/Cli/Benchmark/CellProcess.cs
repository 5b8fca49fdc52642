using System.Globalization;
using DeepRL.Agents.Benchmarking;
using DeepRL.Cluster.Node;

namespace DeepRL.Cli.Benchmark;

/// <summary>
/// One benchmark cell trained on this machine by a <see cref="TrainProcess"/>: output to logs/CELL.log, its PID in
/// logs/CELL.pid while it runs, its exit code in logs/CELL.exit when it ends.
/// </summary>
public sealed class CellProcess
{
    private readonly TrainProcess _process;

    private CellProcess(BenchmarkCell cell, TrainProcess process, Task<int> exited)
    {
        Cell = cell;
        _process = process;
        Exited = exited;
    }

    public BenchmarkCell Cell { get; }

    public int Pid => _process.Pid;

    /// <summary>Completes with the exit code once the process has ended and its files are written.</summary>
    public Task<int> Exited { get; }

    public static CellProcess Start(string benchmarkFolder, BenchmarkCell cell, IReadOnlyList<string> trainArgs)
    {
        string logs = BenchmarkResults.LogsFolder(benchmarkFolder);
        Directory.CreateDirectory(logs);
        File.Delete(BenchmarkResults.ExitCodeFile(benchmarkFolder, cell));
        var process = TrainProcess.Start(SelfCommand.Get(), trainArgs, Path.Combine(logs, cell.Name + ".log"));
        string pidFile = Path.Combine(logs, cell.Name + ".pid");
        File.WriteAllText(pidFile, process.Pid.ToString(CultureInfo.InvariantCulture));
        var exited = process.Exited.ContinueWith(t =>
        {
            File.WriteAllText(BenchmarkResults.ExitCodeFile(benchmarkFolder, cell), t.Result.ToString(CultureInfo.InvariantCulture));
            File.Delete(pidFile);
            return t.Result;
        }, TaskScheduler.Default);
        return new CellProcess(cell, process, exited);
    }

    /// <summary>Asks the child to stop like Ctrl-C does (SIGTERM: it saves a resumable checkpoint and its summary).</summary>
    public void RequestStop() => _process.RequestStop();
}
