using Akka.Actor;
using Akka.Cluster;
using DeepRL.Agents.Distributed;
using DeepRL.Agents.Impala;
using DeepRL.Cluster.Protocol;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster.Impala;

/// <summary>
/// The learner's side of IMPALA on a cluster, inside the learner's process: admits nodes (version and secret), starts
/// actors on them, moves their unrolls into the learner's bounded queue (acknowledging each once it is in, so every
/// remote actor has at most one unroll in flight) and sends weights to nodes that ask for a newer version.
/// </summary>
internal sealed class LearnerActor : GuardedActor, IWithTimers
{
    private readonly ClusterActorHost _host;
    private readonly ImpalaClusterRun _run;
    private readonly ExperienceQueue<Unroll> _queue;
    private readonly WeightsBoard _board;
    private readonly byte[]? _secret;
    private readonly Dictionary<Address, RemoteNode> _nodes = [];
    private readonly Queue<(IActorRef Node, ActorUnroll Message)> _waiting = new(); // unrolls that found the queue full
    private int _nextActor = 1000; // node actors are numbered from 1000, local ones from 0
    private bool _ended;

    private sealed class RemoteNode(string name, byte[] nonce)
    {
        public string Name { get; } = name;
        public byte[] Nonce { get; } = nonce;
        public IActorRef? Ref { get; set; }
        public int Actors { get; set; }
        public bool Counted { get; set; } // its actors count as active (admitted, reachable, not stopped)
    }

    private sealed record Retry;

    /// <summary>The run ended: nodes stop their actors.</summary>
    public sealed record EndRun;

    public LearnerActor(ClusterActorHost host, ImpalaClusterRun run, ExperienceQueue<Unroll> queue, WeightsBoard board, byte[]? secret, ILogger log)
        : base(log)
    {
        (_host, _run, _queue, _board, _secret) = (host, run, queue, board, secret);
        Receive<ClusterEvent.MemberRemoved>(e => Drop(e.Member.Address, "left the cluster"));
        Receive<ClusterEvent.UnreachableMember>(e => Drop(e.Member.Address, "is unreachable"));
        Receive<NodeHello>(OnHello);
        Receive<NodeProof>(OnProof);
        Receive<Refused>(r => Log.LogError("Node at {Address} refused this learner: {Reason}", Sender.Path.Address, r.Reason));
        Receive<ActorUnroll>(OnUnroll);
        Receive<Retry>(_ => Drain());
        Receive<WeightsRequest>(OnWeightsRequest);
        Receive<StopActors>(s => FromNode(s, node => Drop(Sender.Path.Address, $"stopped its actors: {s.Reason}")));
        Receive<EndRun>(_ => EndActors());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.UnreachableMember));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void OnHello(NodeHello hello)
    {
        if (Malformed(hello) is not null || _ended) return;
        if (Handshake.CheckVersion(hello.Protocol, "node") is { } wrongVersion)
        {
            Log.LogError("Refused node {Node} at {Address}: {Problem}", hello.Node, Sender.Path.Address, wrongVersion);
            Sender.Tell(new Refused($"learner refused node {hello.Node}: {wrongVersion}"), Self);
            return;
        }
        var node = new RemoteNode(hello.Node, Handshake.Nonce());
        _nodes[Sender.Path.Address] = node;
        Sender.Tell(new CoordinatorChallenge(Handshake.ProtocolVersion, Handshake.Proof(_secret, "coordinator", hello.Nonce), node.Nonce), Self);
    }

    private void OnProof(NodeProof proof)
    {
        if (Malformed(proof) is not null || !_nodes.TryGetValue(Sender.Path.Address, out var node) || node.Ref is not null || _ended) return;
        if (Handshake.Check(_secret, "node", node.Nonce, proof.Proof) is { } problem)
        {
            Log.LogError("Refused node {Node} at {Address}: {Problem}", node.Name, Sender.Path.Address, problem);
            Sender.Tell(new Refused($"learner refused node {node.Name}: {problem}"), Self);
            _nodes.Remove(Sender.Path.Address);
            return;
        }
        node.Ref = Sender;
        node.Actors = _run.ActorsPerNode;
        node.Counted = true;
        Interlocked.Add(ref _host.Active, node.Actors);
        int first = _nextActor;
        _nextActor += node.Actors;
        Sender.Tell(new StartActors(_run.RunId, _run.EnvId, _run.EnvOptions, _run.HyperparametersJson, _run.Seed, node.Actors, first), Self);
        Log.LogInformation("Node {Node} joined the run: actors {First}–{Last} ({Total} remote actor(s) now)", node.Name, first, first + node.Actors - 1, _host.ActiveActors);
    }

    /// <summary>Handles a message from an admitted node of this run; others are ignored.</summary>
    private void FromNode(IDeepRlMessage message, Action<RemoteNode> handle)
    {
        if (!_nodes.TryGetValue(Sender.Path.Address, out var node) || node.Ref is null || Malformed(message) is not null) return;
        handle(node);
    }

    private void OnUnroll(ActorUnroll message)
    {
        if (!_ended && message.RunId == _run.RunId && !(_nodes.TryGetValue(Sender.Path.Address, out var known) && known.Ref is not null))
        {
            // A node dropped while unreachable that came back: it stops these actors and says hello again for new ones.
            Sender.Tell(new StopActors(_run.RunId, "the learner dropped this node while it was unreachable; rejoining"), Self);
            return;
        }
        FromNode(message, node => Accept(node, message));
    }

    private void Accept(RemoteNode node, ActorUnroll message)
    {
        if (message.RunId != _run.RunId) return;
        Interlocked.Add(ref _host.BytesIn, MessagePackAkkaSerializer.SizeOf(message));
        long latest = _board.Latest?.Version ?? 0;
        string? problem = _run.Check(message.Unroll)
                          ?? (message.Unroll.PolicyVersion > latest ? $"it claims policy version {message.Unroll.PolicyVersion}, newer than the learner's {latest}" : null);
        if (problem is not null)
        {
            Log.LogWarning("Dropped an unroll from node {Node}: {Problem}", node.Name, problem);
            Sender.Tell(new UnrollAck(_run.RunId, message.Sequence, latest), Self); // the actor goes on; the unroll is not trained on
            return;
        }
        _waiting.Enqueue((Sender, message));
        Drain();
    }

    /// <summary>Moves waiting unrolls into the learner's queue while it has room; acknowledges each one moved.</summary>
    private void Drain()
    {
        while (_waiting.Count > 0 && _queue.TryAdd(_waiting.Peek().Message.Unroll, TimeSpan.Zero))
        {
            var (node, message) = _waiting.Dequeue();
            Interlocked.Add(ref _host.Sent, message.Unroll.EnvSteps);
            node.Tell(new UnrollAck(_run.RunId, message.Sequence, _board.Latest?.Version ?? 0), Self);
        }
        if (_waiting.Count > 0 && !_queue.IsCompleted) Timers.StartSingleTimer("retry", new Retry(), TimeSpan.FromMilliseconds(5));
        else if (_queue.IsCompleted) _waiting.Clear();
    }

    private void OnWeightsRequest(WeightsRequest request) => FromNode(request, _ =>
    {
        if (request.RunId != _run.RunId || _board.Latest is not { } weights || weights.Version <= request.Have) return;
        foreach (var chunk in WeightsChunk.Split(_run.RunId, weights))
        {
            Interlocked.Add(ref _host.BytesOut, MessagePackAkkaSerializer.SizeOf(chunk));
            Sender.Tell(chunk, Self);
        }
    });

    private void Drop(Address address, string why)
    {
        if (!_nodes.TryGetValue(address, out var node)) return;
        _nodes.Remove(address);
        if (node.Counted) Interlocked.Add(ref _host.Active, -node.Actors);
        if (node.Ref is not null && !_ended) // after the run, members leaving (this learner among them) are expected
            Log.LogWarning("Node {Node} {Why}: dropped its {Actors} actor(s); the run goes on with {Left}", node.Name, why, node.Actors, _host.ActiveActors);
    }

    private void EndActors()
    {
        _ended = true;
        foreach (var node in _nodes.Values.Where(n => n.Ref is not null)) node.Ref!.Tell(new StopActors(_run.RunId, "the run ended"), Self);
        _waiting.Clear();
    }
}
