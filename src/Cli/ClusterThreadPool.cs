namespace DeepRL.Cli;

/// <summary>
/// Stops the .NET thread pool's idle workers from spinning in cluster processes (<c>deeprl node</c> and any command
/// with <c>--cluster</c>). Akka wakes the pool many times a second (scheduler ticks, heartbeats, gossip); each wake-up
/// left its workers spinning on <c>sched_yield</c> before they slept: ≈14,000 context switches a second in an idle node,
/// which slowed the training processes sharing its cores (docs/benchmarks.md, "Cluster grids on one machine").
/// Training processes keep the default: their hot loops do not use the pool, and their numbers were measured with it.
/// </summary>
public static class ClusterThreadPool
{
    private const string SpinLimit = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    /// <summary>Must run before anything uses the thread pool: the pool reads the setting once, when it starts.</summary>
    public static void ConfigureFor(string[] args)
    {
        // An explicit DOTNET_ThreadPool_UnfairSemaphoreSpinLimit still wins (the runtime reads the variable first).
        if (AppliesTo(args) && AppContext.GetData(SpinLimit) is null) AppContext.SetData(SpinLimit, 0);
    }

    /// <summary>True for the commands that run an Akka member: <c>deeprl node</c> and any command with <c>--cluster</c>.</summary>
    public static bool AppliesTo(string[] args) => (args.Length > 0 && args[0] == "node") || args.Contains("--cluster");
}
