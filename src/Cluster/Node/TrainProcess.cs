using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DeepRL.Cluster.Node;

/// <summary>How to run the <c>deeprl</c> program: an executable and the arguments before the command (e.g. <c>dotnet deeprl.dll</c>).</summary>
public sealed record DeepRlCommand(string File, IReadOnlyList<string> Prefix)
{
    /// <summary>The <c>deeprl</c> dotnet tool on the PATH.</summary>
    public static DeepRlCommand InstalledTool { get; } = new("deeprl", []);
}

/// <summary>
/// A child <c>deeprl train</c> process with its output in a log file: how a benchmark cell is trained, on this machine
/// (the CLI's local grid) or on a cluster node (<see cref="TrainProcessLauncher"/>), so a crash or kill stays in its
/// cell. The child stops with a checkpoint if this process dies (<c>--stop-with-parent</c>).
/// </summary>
public sealed class TrainProcess : IRunningCell
{
    private readonly Process _process;

    private TrainProcess(Process process, Task<int> exited)
    {
        _process = process;
        Exited = exited;
    }

    public int Pid => _process.Id;

    /// <summary>Completes with the exit code once the process has ended and its output is in the log.</summary>
    public Task<int> Exited { get; }

    public static TrainProcess Start(DeepRlCommand deeprl, IReadOnlyList<string> trainArgs, string logFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        var psi = new ProcessStartInfo(deeprl.File) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in deeprl.Prefix.Concat(["train", "--stop-with-parent", .. trainArgs])) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        log.WriteLine($"$ deeprl train {string.Join(' ', trainArgs)}");
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync().ContinueWith(_ =>
        {
            process.WaitForExit(); // drains the output handlers
            lock (log) log.Dispose();
            return process.ExitCode;
        }, TaskScheduler.Default);
        return new TrainProcess(process, exited);
    }

    /// <summary>Asks the child to stop like Ctrl-C does (SIGTERM: it saves a resumable checkpoint and its summary).</summary>
    public void RequestStop()
    {
        if (!_process.HasExited) _ = kill(_process.Id, 15);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

/// <summary>Starts a node's cells as child <c>deeprl train</c> processes.</summary>
public sealed class TrainProcessLauncher(DeepRlCommand deeprl) : ICellLauncher
{
    public IRunningCell Start(IReadOnlyList<string> trainArgs, string logFile) => TrainProcess.Start(deeprl, trainArgs, logFile);
}
