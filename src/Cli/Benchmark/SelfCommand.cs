using DeepRL.Cluster.Node;

namespace DeepRL.Cli.Benchmark;

/// <summary>How this deeprl starts another of itself (benchmark cells, a node's cells): the installed apphost, or `dotnet deeprl.dll`.</summary>
public static class SelfCommand
{
    public static DeepRlCommand Get()
    {
        string? host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "deeprl") return new DeepRlCommand(host, []);
        string dotnet = host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        return new DeepRlCommand(dotnet, [typeof(DeepRlCli).Assembly.Location]);
    }

    public static ICellLauncher Launcher() => new TrainProcessLauncher(Get());
}
