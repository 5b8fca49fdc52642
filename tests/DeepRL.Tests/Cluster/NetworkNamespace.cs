using System.Diagnostics;

namespace DeepRL.Tests.Cluster;

/// <summary>
/// A network namespace joined to this one by a veth pair: a process started through <see cref="Exec"/> is on another
/// "machine" reachable at <see cref="InsideAddress"/>, and <see cref="Cut"/> pulls its cable. Private addresses that
/// exist only between the two ends of the pair; the namespace and the pair are deleted on dispose. Needs root
/// (CAP_NET_ADMIN) and iproute2 (scripts/install-system-deps.sh).
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private readonly string _inside;

    private NetworkNamespace(int id)
    {
        Name = $"deeprl-test-{id}";
        string host = $"drl{id}h";
        _inside = $"drl{id}n";
        int subnet = id % 250 + 1;
        HostAddress = $"10.213.{subnet}.1";
        InsideAddress = $"10.213.{subnet}.2";
        Ip("netns", "add", Name);
        Ip("link", "add", host, "type", "veth", "peer", "name", _inside);
        Ip("link", "set", _inside, "netns", Name);
        Ip("addr", "add", HostAddress + "/30", "dev", host);
        Ip("link", "set", host, "up");
        IpInside("addr", "add", InsideAddress + "/30", "dev", _inside);
        IpInside("link", "set", _inside, "up");
        IpInside("link", "set", "lo", "up");
    }

    public string Name { get; }

    /// <summary>This side's end of the cable.</summary>
    public string HostAddress { get; }

    /// <summary>The namespace's end of the cable.</summary>
    public string InsideAddress { get; }

    /// <summary>The command prefix that runs a program inside the namespace.</summary>
    public string[] Exec => ["ip", "netns", "exec", Name];

    /// <summary>Creates one; ignores the test (saying why) off Linux or without root, fails it (saying why) if the setup fails.</summary>
    public static NetworkNamespace CreateOrIgnore()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("network namespaces are Linux's");
        if (Environment.UserName != "root") Assert.Ignore("creating a network namespace needs root (CAP_NET_ADMIN)");
        int id = Environment.ProcessId % 100_000;
        try
        {
            return new NetworkNamespace(id);
        }
        catch (InvalidOperationException ex)
        {
            Run("ip", "netns", "del", $"deeprl-test-{id}"); // takes the pair with it once moved there
            Run("ip", "link", "del", $"drl{id}h");
            Assert.Fail($"could not set up the network namespace: {ex.Message}");
            throw;
        }
    }

    /// <summary>
    /// Pulls the cable: the inside end goes down. This side's end loses its carrier, so what it sends on open connections
    /// is dropped without an error and new connections fail only once address resolution times out (≈3 s), as when a
    /// cable is pulled: the others notice by silence, through Akka's failure detector.
    /// </summary>
    public void Cut() => IpInside("link", "set", _inside, "down");

    public void Heal() => IpInside("link", "set", _inside, "up");

    public void Dispose() => Run("ip", "netns", "del", Name); // takes the veth pair with it

    private void IpInside(params string[] args) => Ip(["netns", "exec", Name, "ip", .. args]);

    private static void Ip(params string[] args)
    {
        var (code, output) = Run(["ip", .. args]);
        if (code != 0) throw new InvalidOperationException($"`ip {string.Join(' ', args)}` failed ({code}): {output}");
    }

    private static (int Code, string Output) Run(params string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            return (-1, $"{command[0]} did not end within 30 s");
        }
        return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }
}
