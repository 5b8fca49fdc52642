namespace DeepRL.Cluster.Node;

/// <summary>A node: how it joins, how many cells it runs at once, where it keeps their run folders.</summary>
public sealed record NodeOptions
{
    public ClusterOptions Cluster { get; init; } = new();

    /// <summary>Cells trained at once (default: one per core).</summary>
    public int Slots { get; init; } = Environment.ProcessorCount;

    /// <summary>Working folder: one subfolder per benchmark with the run folders and logs of the cells trained here.</summary>
    public string WorkDir { get; init; } = Path.Combine(Path.GetTempPath(), "deeprl-node");

    /// <summary>The name the node is known by in logs and results.csv (default: host name and port).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// How often a running cell's newest checkpoint is shipped to the coordinator at most (its first one goes at once): a
    /// node that dies loses at most this much more training than its cells' checkpoint interval, and fast cells that
    /// checkpoint often do not keep the coordinator busy.
    /// </summary>
    public TimeSpan ShipEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Torch threads (A3C: workers) per cell unless the benchmark fixes them: the cores split between the slots.</summary>
    public int ThreadsPerCell => Math.Max(1, Environment.ProcessorCount / Slots);

    public void Validate()
    {
        Cluster.Validate();
        if (Slots is < 1 or > 1024) throw new ArgumentException($"--slots must be 1 to 1024, got {Slots}.");
        if (ShipEvery < TimeSpan.Zero || ShipEvery > TimeSpan.FromHours(24)) throw new ArgumentException($"--ship-every must be 0 to 86400 seconds, got {ShipEvery.TotalSeconds}.");
    }
}
