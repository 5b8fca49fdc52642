using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DeepRL.Tests.Cli;

namespace DeepRL.Tests.Cluster;

/// <summary>
/// A real <c>deeprl</c> process (a cluster node or a coordinator) whose output the test can wait on, signal and kill.
/// Every wait is bounded; disposing kills whatever is still running, children included.
/// </summary>
public sealed class DeepRlProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DeepRlProcess(Process process) => _process = process;

    public static DeepRlProcess Start(params string[] args) => StartWith([], args);

    /// <summary>Starts <c>deeprl</c> through <paramref name="prefix"/> (e.g. <c>ip netns exec NAME</c>, which execs it: same pid).</summary>
    public static DeepRlProcess StartWith(string[] prefix, params string[] args)
    {
        string[] command = [.. prefix, "dotnet", CliRunner.ProgramPath, .. args];
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = psi };
        var started = new DeepRlProcess(process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Starts <c>deeprl node</c> on loopback and waits until it listens; <see cref="Endpoint"/> is then HOST:PORT.</summary>
    public static DeepRlProcess Node(string name, string workDir, string? join = null, params string[] more) =>
        NodeAt([], "127.0.0.1:0", name, workDir, join, more);

    /// <summary>Starts <c>deeprl node</c> listening on <paramref name="listen"/>, through <paramref name="prefix"/>; waits until it listens.</summary>
    public static DeepRlProcess NodeAt(string[] prefix, string listen, string name, string workDir, string? join, params string[] more)
    {
        string[] args = ["node", "--listen", listen, "--slots", "1", "--work-dir", workDir, "--name", name, "--down-after", "2", .. more];
        if (join is not null) args = [.. args, "--join", join];
        var node = StartWith(prefix, args);
        var listening = node.WaitFor(@"node listening on (\S+) ", TimeSpan.FromSeconds(60));
        node.Endpoint = listening.Groups[1].Value;
        return node;
    }

    public int Pid => _process.Id;

    public string? Endpoint { get; private set; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            // A member that logs in a loop must not take the test process down: keep the last 4 MB.
            if (_output.Length > 8_000_000) _output.Remove(0, _output.Length - 4_000_000);
        }
    }

    /// <summary>Waits until the output matches <paramref name="pattern"/>; fails the test (with the output) after <paramref name="timeout"/>.</summary>
    public Match WaitFor(string pattern, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var match = Regex.Match(Output, pattern);
            if (match.Success) return match;
            if (_process.HasExited && !Regex.IsMatch(Output, pattern))
                Assert.Fail($"the process ended (exit {_process.ExitCode}) before printing /{pattern}/:\n{Output}");
            if (DateTime.UtcNow > until) Assert.Fail($"no /{pattern}/ within {timeout}:\n{Output}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits for the process to end; fails the test after <paramref name="timeout"/>. Returns the exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) Assert.Fail($"the process did not end within {timeout}:\n{Output}");
        _process.WaitForExit(); // drains the output handlers
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>SIGKILL, the process alone (its children are left to notice, as after a real crash).</summary>
    public void Kill() => Signal("KILL");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _process.Dispose();
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails the test after <paramref name="timeout"/>.</summary>
    public static void WaitUntil(Func<bool> condition, string what, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"timed out after {timeout} waiting for {what}");
            Thread.Sleep(100);
        }
    }
}
