using System.Diagnostics;
using System.Runtime.InteropServices;
using DeepRL.Cluster.Node;

namespace DeepRL.Cli.Benchmark;

/// <summary>
/// A child <c>deeprl train</c> process with its output in a log file: how a benchmark cell is trained, on this machine
/// (<see cref="CellProcess"/>) or on a cluster node (<see cref="Launcher"/>), so a crash or kill stays in its cell.
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

    public static TrainProcess Start(IReadOnlyList<string> trainArgs, string logFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        var (file, prefix) = SelfCommand();
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(["train", "--stop-with-parent", .. trainArgs])) psi.ArgumentList.Add(a);
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

    /// <summary>How to start this same deeprl: the installed apphost, or `dotnet deeprl.dll`.</summary>
    private static (string File, string[] Prefix) SelfCommand()
    {
        string? host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "deeprl") return (host, []);
        string dotnet = host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        return (dotnet, [typeof(DeepRlCli).Assembly.Location]);
    }

    /// <summary>Starts cells on a cluster node as child processes.</summary>
    public sealed class Launcher : ICellLauncher
    {
        public IRunningCell Start(IReadOnlyList<string> trainArgs, string logFile) => TrainProcess.Start(trainArgs, logFile);
    }
}
