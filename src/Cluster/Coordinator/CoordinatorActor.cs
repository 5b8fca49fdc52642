using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using DeepRL.Agents.Benchmarking;
using DeepRL.Agents.Training;
using DeepRL.Cluster.Artifacts;
using DeepRL.Cluster.Protocol;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster.Coordinator;

/// <summary>
/// The coordinator's side of the grid protocol. Nodes that pass the handshake pull cells; each cell goes out with its
/// last checkpoint (if it has one), its checkpoints and finished run folder come back and land in the benchmark folder
/// exactly where a local grid puts them. A node that Akka downs (crash, network cut) or that leaves gives its cells back
/// to the front of the queue, to be resumed elsewhere from the last checkpoint received. Every message from a node is
/// validated first; a bad one is logged and answered, never trusted.
/// </summary>
internal sealed class CoordinatorActor : GuardedActor
{
    private readonly string _folder;
    private readonly BenchmarkSpec _spec;
    private readonly string _specJson;
    private readonly string _benchmarkId;
    private readonly byte[]? _secret;
    private readonly GridState _state;
    private readonly ILogger _log;
    private readonly Action<BenchmarkCell, int?> _cellChanged;
    private readonly Dictionary<string, BenchmarkCell> _cellsByName;
    private readonly Dictionary<Address, Session> _sessions = [];
    private readonly List<IActorRef> _waiting = [];
    private readonly IncomingArtifacts _incoming = new();
    private readonly Dictionary<string, OutgoingArtifact> _outgoing = [];
    private readonly AssemblyRef[] _plugins;
    private readonly Dictionary<string, string> _pluginPaths;

    private sealed class Session(string name, byte[] nonce)
    {
        public string Name { get; } = name;
        public byte[] Nonce { get; } = nonce;
        public bool Welcomed { get; set; }
    }

    public CoordinatorActor(string folder, BenchmarkSpec spec, string benchmarkId, byte[]? secret, GridState state, ILogger log, Action<BenchmarkCell, int?> cellChanged)
        : base(log)
    {
        _folder = folder;
        _spec = spec;
        _specJson = spec.ToJson();
        _benchmarkId = benchmarkId;
        _secret = secret;
        _state = state;
        _log = log;
        _cellChanged = cellChanged;
        _cellsByName = spec.Cells().ToDictionary(c => c.Name);
        // Plugins go out by content hash: a node fetches each build once (RequestAssembly) and keeps it.
        _pluginPaths = spec.EnvAssemblies.DistinctBy(p => p).ToDictionary(p => PluginCache.Describe(p).Sha256);
        _plugins = _pluginPaths.Select(p => new AssemblyRef(Path.GetFileName(p.Value), p.Key)).ToArray();
        Receive<ClusterEvent.MemberUp>(e => _log.LogInformation("Member {Address} ({Roles}) joined", e.Member.Address, string.Join(",", e.Member.Roles)));
        Receive<ClusterEvent.UnreachableMember>(e => _log.LogWarning("Member {Address} ({Roles}) is unreachable", e.Member.Address, string.Join(",", e.Member.Roles)));
        Receive<ClusterEvent.ReachableMember>(e => _log.LogInformation("Member {Address} ({Roles}) is reachable again", e.Member.Address, string.Join(",", e.Member.Roles)));
        Receive<ClusterEvent.MemberRemoved>(e => OnNodeGone(e.Member));
        Receive<NodeHello>(m => Checked(m, () => OnHello(m)));
        Receive<NodeProof>(m => Checked(m, () => OnProof(m)));
        Receive<Refused>(m => Checked(m, () => _log.LogError("Node at {Address} refused this coordinator: {Reason}", Sender.Path.Address, m.Reason)));
        Receive<RequestCell>(m => Welcomed(m, s => OnRequest(m, s)));
        Receive<ReturnCell>(m => Welcomed(m, s => OnReturn(m, s)));
        Receive<RequestAssembly>(m => Welcomed(m, s => OnRequestAssembly(m, s)));
        Receive<ArtifactChunk>(m => Welcomed(m, s => OnChunk(m, s)));
        Receive<ArtifactAck>(m => Welcomed(m, _ => OnAck(m)));
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember));

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _incoming.Dispose();
        foreach (var o in _outgoing.Values) o.Dispose();
    }

    private void Checked(IDeepRlMessage message, Action handle)
    {
        if (Malformed(message) is { } problem)
        {
            Sender.Tell(new Refused($"malformed {message.GetType().Name}: {problem}"), Self);
            return;
        }
        handle();
    }

    /// <summary>Only nodes that passed the handshake may ask for work or deliver results.</summary>
    private void Welcomed(IDeepRlMessage message, Action<Session> handle) => Checked(message, () =>
    {
        if (_sessions.TryGetValue(Sender.Path.Address, out var session) && session.Welcomed) handle(session);
        else
        {
            _log.LogWarning("Refused a {Message} from {Address}: it has not passed the handshake", message.GetType().Name, Sender.Path.Address);
            Sender.Tell(new Refused("this member has not passed the handshake (protocol version and secret)"), Self);
        }
    });

    private void OnHello(NodeHello hello)
    {
        if (Handshake.CheckVersion(hello.Protocol, "node") is { } problem)
        {
            Refuse(hello.Node, problem);
            return;
        }
        var session = new Session(hello.Node, Handshake.Nonce());
        _sessions[Sender.Path.Address] = session;
        Sender.Tell(new CoordinatorChallenge(Handshake.ProtocolVersion, Handshake.Proof(_secret, "coordinator", hello.Nonce), session.Nonce), Self);
    }

    private void OnProof(NodeProof proof)
    {
        if (!_sessions.TryGetValue(Sender.Path.Address, out var session)) return;
        if (Handshake.Check(_secret, "node", session.Nonce, proof.Proof) is { } problem)
        {
            _sessions.Remove(Sender.Path.Address);
            Refuse(session.Name, problem);
            return;
        }
        session.Welcomed = true;
        _log.LogInformation("Node {Node} at {Address} passed the handshake", session.Name, Sender.Path.Address);
        Sender.Tell(new Welcome(_benchmarkId), Self);
    }

    private void Refuse(string node, string problem)
    {
        _log.LogError("Refused node {Node} at {Address}: {Problem}", node, Sender.Path.Address, problem);
        Sender.Tell(new Refused($"the coordinator refused node {node}: {problem}"), Self);
    }

    private void OnRequest(RequestCell request, Session session)
    {
        if (request.BenchmarkId != _benchmarkId) return;
        if (!TryAssign(Sender, session)) _waiting.Add(Sender);
    }

    private bool TryAssign(IActorRef node, Session session)
    {
        if (_state.Next(node.Path.Address, session.Name) is not { } cell) return false;
        string run = Path.Combine(BenchmarkResults.RunsFolder(_folder), cell.Name);
        OutgoingArtifact? resume = null;
        if (Directory.Exists(run) && CellArguments.HasCheckpoint(run))
        {
            var (path, sha) = RunArchive.Pack(run);
            resume = new OutgoingArtifact(path, sha, cell.Name, ArtifactKind.Resume, 0, node, Self);
        }
        else if (Directory.Exists(run)) Directory.Delete(run, recursive: true); // ended before its first checkpoint
        WriteNode(cell, session.Name);
        File.Delete(BenchmarkResults.ExitCodeFile(_folder, cell));
        node.Tell(new AssignCell(_benchmarkId, _specJson, cell.Env, cell.Algo, cell.Seed, resume?.TotalBytes ?? 0, _plugins), Self);
        if (resume is not null)
        {
            _state.Sent(resume.TotalBytes);
            _outgoing[resume.TransferId] = resume;
            resume.Start();
        }
        _log.LogInformation("{Cell}: {How} on {Node}", cell.Name, resume is null ? "started" : "resumed", session.Name);
        _cellChanged(cell, null);
        return true;
    }

    private void OnReturn(ReturnCell r, Session session)
    {
        if (r.BenchmarkId != _benchmarkId || !_cellsByName.TryGetValue(r.Cell, out var cell) || !_state.IsAssignedTo(cell, Sender.Path.Address)) return;
        _log.LogInformation("{Cell}: handed back by {Node}", cell.Name, session.Name);
        _state.Requeue(cell);
        _cellChanged(cell, null);
        ServeWaiting();
    }

    private void OnRequestAssembly(RequestAssembly request, Session session)
    {
        if (request.BenchmarkId != _benchmarkId) return;
        if (!_pluginPaths.TryGetValue(request.Sha256, out var path))
        {
            _log.LogWarning("Node {Node} asked for a plugin this benchmark does not use ({Sha256})", session.Name, request.Sha256);
            Sender.Tell(new Refused($"this benchmark has no plugin with SHA-256 {request.Sha256}"), Self);
            return;
        }
        // The transfer deletes the file it sends when it ends: send a copy.
        string copy = Path.Combine(Path.GetTempPath(), $"deeprl-plugin-{Guid.NewGuid():N}.dll");
        File.Copy(path, copy);
        var artifact = new OutgoingArtifact(copy, Convert.FromHexString(request.Sha256), request.Sha256, ArtifactKind.Assembly, 0, Sender, Self);
        _outgoing[artifact.TransferId] = artifact;
        _state.Sent(artifact.TotalBytes);
        artifact.Start();
        _log.LogInformation("Plugin {Plugin} sent to {Node}", Path.GetFileName(path), session.Name);
    }

    private void OnChunk(ArtifactChunk chunk, Session session)
    {
        if (chunk.Kind is ArtifactKind.Resume or ArtifactKind.Assembly || !_cellsByName.TryGetValue(chunk.Cell, out var cell))
        {
            IncomingArtifacts.Complete(chunk, Sender, Self, $"'{chunk.Cell}' is not a cell of this benchmark");
            return;
        }
        if (_incoming.OnChunk(chunk, Sender, Self) is not { } path) return;
        _state.Received(chunk.TotalBytes);
        try
        {
            IncomingArtifacts.Complete(chunk, Sender, Self, Store(cell, chunk, path, session));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Stores a verified artifact; returns an error for the sender (who then sends it again), or null.</summary>
    private string? Store(BenchmarkCell cell, ArtifactChunk last, string path, Session session)
    {
        if (_state.IsFinished(cell)) return null; // finished twice (a node that came back): recorded once
        if (last.Kind == ArtifactKind.Checkpoint && !_state.IsAssignedTo(cell, Sender.Path.Address)) return null; // no longer this node's
        string run = Path.Combine(BenchmarkResults.RunsFolder(_folder), cell.Name);
        string log = Path.Combine(BenchmarkResults.LogsFolder(_folder), cell.Name + ".log");
        try
        {
            RunArchive.Unpack(path, run, last.Kind == ArtifactKind.Final ? log : null);
        }
        catch (InvalidDataException ex)
        {
            _log.LogWarning("{Cell}: the artifact from {Node} does not verify ({Error}); it is sent again", cell.Name, session.Name, ex.Message);
            return ex.Message;
        }
        if (last.Kind == ArtifactKind.Checkpoint)
        {
            _log.LogDebug("{Cell}: checkpoint received from {Node} ({Bytes:N0} bytes)", cell.Name, session.Name, last.TotalBytes);
            return null;
        }
        AtomicFile.WriteAllText(BenchmarkResults.ExitCodeFile(_folder, cell), last.ExitCode.ToString(CultureInfo.InvariantCulture));
        WriteNode(cell, session.Name);
        _state.Finish(cell);
        _cellChanged(cell, last.ExitCode);
        return null;
    }

    private void WriteNode(BenchmarkCell cell, string node)
    {
        Directory.CreateDirectory(BenchmarkResults.LogsFolder(_folder));
        AtomicFile.WriteAllText(BenchmarkResults.NodeFile(_folder, cell), node);
    }

    private void OnAck(ArtifactAck ack)
    {
        if (!_outgoing.TryGetValue(ack.TransferId, out var artifact)) return;
        try
        {
            if (!artifact.OnAck(ack)) return;
        }
        catch (InvalidDataException ex)
        {
            _log.LogError("{Cell}: {Error}", artifact.Cell, ex.Message);
        }
        _outgoing.Remove(ack.TransferId);
        artifact.Dispose();
    }

    private void OnNodeGone(Member member)
    {
        var address = member.Address;
        _log.LogInformation("Member {Address} ({Roles}) left the cluster", address, string.Join(",", member.Roles));
        _sessions.Remove(address);
        _waiting.RemoveAll(w => w.Path.Address.Equals(address));
        _incoming.DropFrom(address);
        foreach (var (id, artifact) in _outgoing.Where(p => p.Value.To.Path.Address.Equals(address)).ToList())
        {
            _outgoing.Remove(id);
            artifact.Dispose();
        }
        foreach (var cell in _state.HeldBy(address))
        {
            _log.LogWarning("{Cell}: its node is gone; queued again, to resume from its last checkpoint", cell.Name);
            _state.Requeue(cell);
            _cellChanged(cell, null);
        }
        ServeWaiting();
    }

    private void ServeWaiting()
    {
        while (_waiting.Count > 0)
        {
            var node = _waiting[0];
            if (!_sessions.TryGetValue(node.Path.Address, out var session) || !TryAssign(node, session)) return;
            _waiting.RemoveAt(0);
        }
    }
}
