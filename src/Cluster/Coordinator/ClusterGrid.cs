using Akka.Actor;
using DeepRL.Agents.Benchmarking;
using DeepRL.Cluster.Coordinator;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster;

/// <summary>
/// Runs a benchmark grid on the nodes of a DeepRL cluster: joins it as the coordinator, lets nodes pull the unfinished
/// cells, and collects their run folders into <paramref name="folder"/> with the layout a local grid has. The coordinator
/// trains nothing itself. Cancelling leaves the cluster: the nodes stop their cells, and <c>--resume</c> continues from the
/// last checkpoint each cell shipped.
/// </summary>
public sealed class ClusterGrid(string folder, BenchmarkSpec spec, ClusterOptions options, ILogger log) : IGridExecutor
{
    public const string CoordinatorActorName = "coordinator";

    private const string IdFile = "cluster-id";

    private GridState? _state;

    /// <summary>Called when a cell starts on a node (exit code null), goes back to the queue (null), or ends (its exit code).</summary>
    public Action<BenchmarkCell, int?>? CellChanged { get; init; }

    /// <summary>This coordinator's address once it has joined (akka.tcp://deeprl@HOST:PORT).</summary>
    public string? Address { get; private set; }

    public IReadOnlyCollection<BenchmarkCell> Running => _state?.Running ?? [];

    public string? NodeOf(BenchmarkCell cell) => _state?.NodeOf(cell);

    public string Describe() => $"cluster via {string.Join(", ", options.Join)}";

    /// <summary>The benchmark's id in the cluster (nodes keep its cells under it): made once, kept across --resume.</summary>
    public static string BenchmarkId(string folder)
    {
        string path = Path.Combine(folder, IdFile);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        string name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
        name = new string(name.Take(64).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        string id = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];
        Agents.Training.AtomicFile.WriteAllText(path, id);
        return id;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        options.Validate();
        if (options.Join.Count == 0) throw new ArgumentException("A cluster grid joins a running cluster: give --cluster HOST:PORT of a node started with `deeprl node`.");
        string id = BenchmarkId(folder);
        _state = new GridState(spec.Cells().Where(c => !BenchmarkResults.Read(folder, c).Finished));
        var cancelled = Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        while (!_state.Done.IsCompleted && !stop.IsCancellationRequested)
        {
            var system = ClusterConfig.CreateSystem(options, ClusterConfig.CoordinatorRole, log);
            var state = _state;
            Action<BenchmarkCell, int?> changed = (c, code) => CellChanged?.Invoke(c, code);
            system.ActorOf(Props.Create(() => new CoordinatorActor(folder, spec, id, options.Secret, state, log, changed)), CoordinatorActorName);
            var cluster = Akka.Cluster.Cluster.Get(system);
            Address = cluster.SelfAddress.ToString();
            log.LogInformation("Coordinator {Address} joining {Seeds} for benchmark {Id}", Address, string.Join(", ", options.Join), id);
            cluster.JoinSeedNodes(ClusterConfig.Seeds(options));
            await Task.WhenAny(_state.Done, cancelled, system.WhenTerminated);
            if (system.WhenTerminated.IsCompleted)
            {
                // Downed by the split-brain resolver (cut off from the cluster): the nodes stopped our cells; join again.
                log.LogWarning("This coordinator was removed from the cluster; joining again");
                foreach (var cell in _state.Running) _state.Requeue(cell);
                await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                continue;
            }
            await Shutdown.Leave(system, log);
        }
        var (bytesIn, bytesOut) = _state.Traffic;
        log.LogInformation("Cluster traffic: {In:N0} bytes of checkpoints and run folders received, {Out:N0} bytes of resumes and plugins sent", bytesIn, bytesOut);
    }
}
