using System.Diagnostics;
using System.Runtime.InteropServices;
using DeepRL.Agents.Benchmarking;

namespace DeepRL.Cli.Benchmark;

/// <summary>
/// One benchmark cell trained by a child <c>deeprl train</c> process (so a crash or kill stays in its cell): output
/// to logs/CELL.log, its PID in logs/CELL.pid while it runs, its exit code in logs/CELL.exit when it ends.
/// </summary>
public sealed class CellProcess
{
    private readonly Process _process;

    private CellProcess(BenchmarkCell cell, Process process)
    {
        Cell = cell;
        _process = process;
    }

    public BenchmarkCell Cell { get; }

    public int Pid => _process.Id;

    public static CellProcess Start(string benchmarkFolder, BenchmarkCell cell, IReadOnlyList<string> trainArgs)
    {
        string logs = BenchmarkResults.LogsFolder(benchmarkFolder);
        Directory.CreateDirectory(logs);
        File.Delete(BenchmarkResults.ExitCodeFile(benchmarkFolder, cell));
        var (file, prefix) = SelfCommand();
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(["train", .. trainArgs])) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var log = new StreamWriter(Path.Combine(logs, cell.Name + ".log"), append: true) { AutoFlush = true };
        log.WriteLine($"$ deeprl train {string.Join(' ', trainArgs)}");
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        File.WriteAllText(Path.Combine(logs, cell.Name + ".pid"), process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var cellProcess = new CellProcess(cell, process);
        cellProcess.Exited = process.WaitForExitAsync().ContinueWith(_ =>
        {
            process.WaitForExit(); // drains the output handlers
            lock (log) log.Dispose();
            File.WriteAllText(BenchmarkResults.ExitCodeFile(benchmarkFolder, cell), process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.Delete(Path.Combine(logs, cell.Name + ".pid"));
            return process.ExitCode;
        });
        return cellProcess;
    }

    /// <summary>Completes with the exit code once the process has ended and its files are written.</summary>
    public Task<int> Exited { get; private set; } = Task.FromResult(0);

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
}
