using Akka.Actor;
using Akka.Cluster;
using DeepRL.Agents.Benchmarking;
using DeepRL.Agents.Training;
using DeepRL.Cluster.Artifacts;
using DeepRL.Cluster.Protocol;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster.Node;

/// <summary>
/// A node's side of the grid protocol. It finds the coordinator through cluster membership, proves the secret, pulls a
/// cell per free slot, trains each as a child process, ships every new checkpoint of a running cell and the finished
/// run folder back, and asks for the next cell as soon as one ends (while its run folder is still on its way). When the
/// coordinator is gone its cells are stopped (the coordinator resumes them from the last checkpoint it holds); when the
/// node is told to leave, running cells checkpoint and are handed back.
/// </summary>
internal sealed class NodeActor : GuardedActor, IWithTimers
{
    private readonly NodeOptions _options;
    private readonly ICellLauncher _launcher;
    private readonly ILogger _log;
    private readonly string _name;
    private readonly Dictionary<string, NodeCell> _cells = [];
    private readonly Dictionary<string, OutgoingArtifact> _outgoing = [];
    private readonly IncomingArtifacts _incoming = new();
    private readonly PluginCache _plugins;
    private readonly Dictionary<string, AssemblyRef> _requestedPlugins = [];
    private Address? _coordinatorAddress;
    private IActorRef? _coordinator;
    private byte[] _nonce = [];
    private string? _benchmarkId;
    private bool _leaving;
    private TaskCompletionSource? _left;

    private sealed class NodeCell(BenchmarkCell cell, BenchmarkSpec spec, AssemblyRef[] plugins, string runFolder, string logFile)
    {
        public BenchmarkCell Cell { get; } = cell;
        public BenchmarkSpec Spec { get; } = spec;
        public AssemblyRef[] Plugins { get; } = plugins;
        public string RunFolder { get; } = runFolder;
        public string LogFile { get; } = logFile;
        public IRunningCell? Process { get; set; }
        public int? ExitCode { get; set; }
        public DateTime ShippedCheckpoint { get; set; }
        public bool Shipping { get; set; }

        /// <summary>When a checkpoint of this cell was last packed to be shipped (null: none yet).</summary>
        public DateTime? LastShipped { get; set; }

        /// <summary>The cell's run folder (its last checkpoint) is still on its way from the coordinator.</summary>
        public bool AwaitingResume { get; set; }

        /// <summary>The artifact in flight was packed after the cell ended, so it holds its last checkpoint.</summary>
        public bool PackedAfterExit { get; set; }
    }

    private sealed record Tick;
    private sealed record CellExited(string Cell, int Code);
    private sealed record Packed(string Cell, ArtifactKind Kind, string Path, byte[] Sha256, DateTime Stamp);
    private sealed record PackFailed(string Cell, ArtifactKind Kind, string Error);

    /// <summary>Tells the node to leave: running cells checkpoint and go back to the coordinator; completes when done.</summary>
    public sealed record Leave(TaskCompletionSource Done);

    public NodeActor(NodeOptions options, ICellLauncher launcher, ILogger log, string name)
        : base(log)
    {
        _options = options;
        _launcher = launcher;
        _log = log;
        _name = name;
        _plugins = new PluginCache(Path.Combine(options.WorkDir, "plugins"));
        Receive<ClusterEvent.MemberUp>(e =>
        {
            _log.LogInformation("Member {Address} ({Roles}) joined", e.Member.Address, Roles(e.Member));
            FindCoordinator(e.Member);
        });
        // A coordinator answers while it is still joining: starting then saves the second or two before Akka's leader
        // marks it up (docs/benchmarks.md, "Cluster grids on one machine").
        Receive<ClusterEvent.MemberJoined>(e => FindCoordinator(e.Member));
        Receive<ClusterEvent.MemberRemoved>(e => OnMemberGone(e.Member, "left the cluster"));
        Receive<ClusterEvent.UnreachableMember>(e => _log.LogWarning("Member {Address} ({Roles}) is unreachable", e.Member.Address, Roles(e.Member)));
        Receive<ClusterEvent.ReachableMember>(e => _log.LogInformation("Member {Address} ({Roles}) is reachable again", e.Member.Address, Roles(e.Member)));
        Receive<CoordinatorChallenge>(OnChallenge);
        Receive<Welcome>(OnWelcome);
        Receive<Refused>(r => FromCoordinator(r, () => _log.LogError("The coordinator refused this node: {Reason}", r.Reason)));
        Receive<AssignCell>(OnAssign);
        Receive<ArtifactChunk>(OnChunk);
        Receive<ArtifactAck>(OnAck);
        Receive<Tick>(_ => ShipNewCheckpoints());
        Receive<CellExited>(OnCellExited);
        Receive<Packed>(OnPacked);
        Receive<PackFailed>(f =>
        {
            _log.LogWarning("Could not pack {Cell}: {Error}", f.Cell, f.Error);
            if (_cells.TryGetValue(f.Cell, out var c)) c.Shipping = false;
            if (f.Kind != ArtifactKind.Checkpoint) GiveBack(f.Cell);
        });
        Receive<Leave>(OnLeave);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberJoined), typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved),
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember));
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(1));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        foreach (var cell in _cells.Values) cell.Process?.RequestStop();
        foreach (var o in _outgoing.Values) o.Dispose();
        _incoming.Dispose();
    }

    private static string Roles(Member m) => string.Join(",", m.Roles);

    private void FindCoordinator(Member member)
    {
        if (!member.HasRole(ClusterConfig.CoordinatorRole) || _coordinatorAddress is not null || _leaving) return;
        _coordinatorAddress = member.Address;
        _nonce = Handshake.Nonce();
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterGrid.CoordinatorActorName)
            .Tell(new NodeHello(Handshake.ProtocolVersion, _name, _options.Slots, _nonce), Self);
    }

    private void OnMemberGone(Member member, string what)
    {
        _log.LogInformation("Member {Address} ({Roles}) {What}", member.Address, Roles(member), what);
        _incoming.DropFrom(member.Address);
        if (!member.Address.Equals(_coordinatorAddress)) return;
        // The coordinator holds the last checkpoint of every cell it gave out and resumes them when it comes back.
        _log.LogWarning("The coordinator is gone: stopping {Count} running cell(s); it resumes them from their last shipped checkpoints", _cells.Count);
        foreach (var cell in _cells.Values) cell.Process?.RequestStop();
        _cells.Clear();
        foreach (var o in _outgoing.Values) o.Dispose();
        _outgoing.Clear();
        _requestedPlugins.Clear();
        _coordinatorAddress = null;
        _coordinator = null;
        _benchmarkId = null;
        FinishLeavingIfDone();
    }

    /// <summary>Runs <paramref name="handle"/> for a message from the coordinator this node talks to; ignores others.</summary>
    private void FromCoordinator(IDeepRlMessage message, Action handle)
    {
        if (_coordinatorAddress is null || !Sender.Path.Address.Equals(_coordinatorAddress) || Malformed(message) is not null) return;
        handle();
    }

    private void OnChallenge(CoordinatorChallenge c) => FromCoordinator(c, () =>
    {
        var answer = Handshake.Answer(c, _options.Cluster.Secret, _nonce, _name, "coordinator", out string? problem);
        if (problem is not null) _log.LogError("Refusing the coordinator at {Address}: {Problem}", Sender.Path.Address, problem);
        Sender.Tell(answer, Self);
    });

    private void OnWelcome(Welcome w) => FromCoordinator(w, () =>
    {
        _coordinator = Sender;
        _benchmarkId = w.BenchmarkId;
        _log.LogInformation("Working for the coordinator at {Address} (benchmark {Id}) with {Slots} slot(s)", Sender.Path.Address, w.BenchmarkId, _options.Slots);
        for (int i = Training; i < _options.Slots; i++) RequestCell();
    });

    private string BenchmarkFolder => Path.Combine(_options.WorkDir, _benchmarkId!);

    /// <summary>Cells that hold a slot: those not yet ended. A cell whose run folder is still being shipped does not.</summary>
    private int Training => _cells.Values.Count(c => c.ExitCode is null);

    private void OnAssign(AssignCell a) => FromCoordinator(a, () =>
    {
        if (_coordinator is null || a.BenchmarkId != _benchmarkId) return;
        BenchmarkSpec spec;
        try
        {
            spec = BenchmarkSpec.FromJson(a.SpecJson, "the coordinator's benchmark definition");
        }
        catch (InvalidDataException ex)
        {
            _log.LogError("Cannot run {Env}/{Algo}/{Seed}: {Error}", a.Env, a.Algo, a.Seed, ex.Message);
            return;
        }
        var cell = new BenchmarkCell(a.Env, a.Algo, a.Seed);
        if (_leaving || Training >= _options.Slots || _cells.ContainsKey(cell.Name))
        {
            _coordinator.Tell(new ReturnCell(a.BenchmarkId, cell.Name), Self);
            return;
        }
        string runs = BenchmarkResults.RunsFolder(BenchmarkFolder);
        var nodeCell = new NodeCell(cell, spec, a.Assemblies, Path.Combine(runs, cell.Name), Path.Combine(BenchmarkResults.LogsFolder(BenchmarkFolder), cell.Name + ".log"))
        {
            AwaitingResume = a.ResumeBytes > 0,
        };
        _cells[cell.Name] = nodeCell;
        // Whatever an earlier attempt left here is stale: the coordinator's copy (sent next, if any) is the truth.
        if (Directory.Exists(nodeCell.RunFolder)) Directory.Delete(nodeCell.RunFolder, recursive: true);
        if (nodeCell.AwaitingResume) _log.LogInformation("{Cell}: receiving its last checkpoint ({Bytes:N0} bytes)", cell.Name, a.ResumeBytes);
        TryLaunch(nodeCell);
    });

    /// <summary>Starts a cell once its run folder (when it resumes) and every plugin it needs are here; asks for missing plugins.</summary>
    private void TryLaunch(NodeCell cell)
    {
        if (cell.Process is not null || cell.AwaitingResume) return;
        var missing = cell.Plugins.Where(p => !_plugins.Has(p)).ToList();
        if (missing.Count == 0)
        {
            Launch(cell);
            return;
        }
        foreach (var plugin in missing.Where(p => _requestedPlugins.TryAdd(p.Sha256, p)))
        {
            _log.LogInformation("Fetching plugin {Plugin} ({Sha256}) from the coordinator", plugin.FileName, plugin.Sha256[..12]);
            _coordinator!.Tell(new RequestAssembly(_benchmarkId!, plugin.Sha256), Self);
        }
    }

    private void OnChunk(ArtifactChunk chunk) => FromCoordinator(chunk, () =>
    {
        if (chunk.Kind == ArtifactKind.Assembly)
        {
            OnPluginChunk(chunk);
            return;
        }
        if (chunk.Kind != ArtifactKind.Resume || !_cells.TryGetValue(chunk.Cell, out var cell) || !cell.AwaitingResume)
        {
            IncomingArtifacts.Complete(chunk, Sender, Self, "no cell here is waiting for that artifact");
            return;
        }
        if (_incoming.OnChunk(chunk, Sender, Self) is not { } path) return;
        try
        {
            RunArchive.Unpack(path, cell.RunFolder);
            IncomingArtifacts.Complete(chunk, Sender, Self, null);
            cell.AwaitingResume = false;
            TryLaunch(cell);
        }
        catch (InvalidDataException ex)
        {
            IncomingArtifacts.Complete(chunk, Sender, Self, ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    });

    /// <summary>A plugin this node asked for: verified against the hash it was asked by, kept, and the cells waiting for it start.</summary>
    private void OnPluginChunk(ArtifactChunk chunk)
    {
        if (!_requestedPlugins.TryGetValue(chunk.Cell, out var plugin) || Convert.ToHexStringLower(chunk.Sha256) != plugin.Sha256)
        {
            IncomingArtifacts.Complete(chunk, Sender, Self, "this node did not ask for that plugin");
            return;
        }
        if (_incoming.OnChunk(chunk, Sender, Self) is not { } path) return;
        try
        {
            _plugins.Store(plugin, path);
            _requestedPlugins.Remove(plugin.Sha256);
            IncomingArtifacts.Complete(chunk, Sender, Self, null);
            _log.LogInformation("Plugin {Plugin} received and verified", plugin.FileName);
        }
        finally
        {
            File.Delete(path);
        }
        foreach (var cell in _cells.Values.ToList()) TryLaunch(cell);
    }

    private void Launch(NodeCell cell)
    {
        // The benchmark's plugins by their paths on this node.
        var spec = cell.Spec with { EnvAssemblies = cell.Plugins.Select(_plugins.PathOf).ToArray() };
        var args = CellArguments.For(spec, cell.Cell, Path.GetDirectoryName(cell.RunFolder)!, _options.ThreadsPerCell);
        Directory.CreateDirectory(Path.GetDirectoryName(cell.LogFile)!);
        _log.LogInformation("{Cell}: {How}", cell.Cell.Name, args[0] == "--resume" ? "resuming from its checkpoint" : "started");
        cell.ShippedCheckpoint = CheckpointStamp(cell.RunFolder);
        cell.Process = _launcher.Start(args, cell.LogFile);
        string name = cell.Cell.Name;
        cell.Process.Exited.PipeTo(Self, success: code => new CellExited(name, code), failure: _ => new CellExited(name, -1));
    }

    /// <summary>When the run folder's latest checkpoint was written (its manifest): changes with every save.</summary>
    private static DateTime CheckpointStamp(string runFolder)
    {
        string? latest = AtomicFile.ResolveDirectory(Path.Combine(runFolder, "checkpoints", RunStore.LatestCheckpoint));
        return latest is null ? default : File.GetLastWriteTimeUtc(Path.Combine(latest, CheckpointManifest.FileName));
    }

    private void ShipNewCheckpoints()
    {
        foreach (var cell in _cells.Values)
        {
            if (cell.Process is null || cell.ExitCode is not null || cell.Shipping) continue;
            if (cell.LastShipped is { } last && DateTime.UtcNow - last < _options.ShipEvery) continue;
            if (CheckpointStamp(cell.RunFolder) is var stamp && stamp == cell.ShippedCheckpoint) continue;
            cell.LastShipped = DateTime.UtcNow;
            Pack(cell, ArtifactKind.Checkpoint);
        }
    }

    private void Pack(NodeCell cell, ArtifactKind kind)
    {
        cell.Shipping = true;
        cell.PackedAfterExit = cell.ExitCode is not null;
        string name = cell.Cell.Name, folder = cell.RunFolder;
        string? log = kind == ArtifactKind.Final ? cell.LogFile : null;
        // Zipping a run folder with a replay buffer takes a while: off the actor's thread.
        Task.Run(() =>
        {
            var stamp = CheckpointStamp(folder);
            var (path, sha) = RunArchive.Pack(folder, log);
            return new Packed(name, kind, path, sha, stamp);
        }).PipeTo(Self, failure: ex => new PackFailed(name, kind, ex.Message));
    }

    private void OnPacked(Packed p)
    {
        if (_coordinator is null || !_cells.TryGetValue(p.Cell, out var cell))
        {
            File.Delete(p.Path);
            return;
        }
        var artifact = new OutgoingArtifact(p.Path, p.Sha256, p.Cell, p.Kind, cell.ExitCode ?? 0, _coordinator, Self);
        if (p.Kind == ArtifactKind.Checkpoint) cell.ShippedCheckpoint = p.Stamp;
        _outgoing[artifact.TransferId] = artifact;
        artifact.Start();
    }

    private void OnAck(ArtifactAck ack) => FromCoordinator(ack, () =>
    {
        if (!_outgoing.TryGetValue(ack.TransferId, out var artifact)) return;
        bool done;
        try
        {
            done = artifact.OnAck(ack);
        }
        catch (InvalidDataException ex)
        {
            _log.LogError("{Cell}: {Error}", artifact.Cell, ex.Message);
            _outgoing.Remove(ack.TransferId);
            artifact.Dispose();
            if (_cells.TryGetValue(artifact.Cell, out var failed)) failed.Shipping = false;
            if (artifact.Kind != ArtifactKind.Checkpoint) GiveBack(artifact.Cell);
            return;
        }
        if (!done) return;
        _outgoing.Remove(ack.TransferId);
        artifact.Dispose();
        if (!_cells.TryGetValue(artifact.Cell, out var cell)) return;
        cell.Shipping = false;
        if (artifact.Kind == ArtifactKind.Final)
        {
            _log.LogInformation("{Cell}: finished (exit {Code}), run folder delivered ({Bytes:N0} bytes)", artifact.Cell, artifact.ExitCode, artifact.TotalBytes);
            Free(artifact.Cell);
        }
        else if (cell.ExitCode is null) return;
        else if (!cell.PackedAfterExit) Pack(cell, _leaving ? ArtifactKind.Checkpoint : ArtifactKind.Final);
        else
        {
            _log.LogInformation("{Cell}: handed back with its checkpoint", artifact.Cell);
            GiveBack(artifact.Cell);
        }
    });

    private void OnCellExited(CellExited e)
    {
        if (!_cells.TryGetValue(e.Cell, out var cell)) return;
        cell.ExitCode = e.Code;
        // The slot is free: the next cell trains while this one's run folder is packed and shipped.
        if (!_leaving) RequestCell();
        if (cell.Shipping) return; // the transfer in flight packs the final (or hand-back) artifact when it ends
        // A cell stopped because this node is leaving goes back with its checkpoint; one that ended by itself is final.
        Pack(cell, _leaving ? ArtifactKind.Checkpoint : ArtifactKind.Final);
    }

    /// <summary>Returns a cell to the coordinator unfinished, frees its slot.</summary>
    private void GiveBack(string cell)
    {
        if (_coordinator is not null && _benchmarkId is not null) _coordinator.Tell(new ReturnCell(_benchmarkId, cell), Self);
        _cells.Remove(cell);
        FinishLeavingIfDone();
    }

    private void Free(string cell)
    {
        _cells.Remove(cell);
        FinishLeavingIfDone();
    }

    private void RequestCell()
    {
        if (_coordinator is not null && _benchmarkId is not null) _coordinator.Tell(new RequestCell(_benchmarkId), Self);
    }

    private void OnLeave(Leave leave)
    {
        _leaving = true;
        _left = leave.Done;
        _log.LogInformation("Leaving: {Count} running cell(s) save a checkpoint and go back to the coordinator", _cells.Count);
        foreach (var cell in _cells.Values.ToList())
        {
            if (cell.Process is null) GiveBack(cell.Cell.Name);
            else cell.Process.RequestStop();
        }
        FinishLeavingIfDone();
    }

    private void FinishLeavingIfDone()
    {
        if (_leaving && _cells.Count == 0) _left?.TrySetResult();
    }
}
