using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using DeepRL.Agents.Config;
using DeepRL.Agents.Distributed;
using DeepRL.Agents.Impala;
using DeepRL.Cluster.Node;
using DeepRL.Cluster.Protocol;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster.Impala;

/// <summary>
/// A node's side of IMPALA: when a learner joins the cluster it proves the secret to it, runs the actors the learner asks
/// for (threads of the node's process, each with its own envs), sends their unrolls and fetches the learner's weights
/// whenever an acknowledgement says a newer version exists. When the learner leaves or ends the run, the actors stop.
/// </summary>
internal sealed class NodeImpalaActor : GuardedActor, IWithTimers
{
    public const string Name = "impala-actors";

    private readonly NodeOptions _options;
    private readonly string _node;
    private readonly Dictionary<long, TaskCompletionSource<bool>> _inFlight = [];
    private readonly WeightsBoard _board = new();
    private Address? _learnerAddress;
    private IActorRef? _learner;
    private byte[] _nonce = [];
    private string? _runId;
    private ActorThreads<Unroll>? _actors;
    private long _sequence;
    private bool _requesting;
    private float[]? _assembling;
    private long _assemblingVersion = -1;
    private int _chunksLeft;

    /// <summary>From an actor thread: send this unroll; the task completes with true once the learner has it, false if it never will.</summary>
    public sealed record SendUnroll(Unroll Unroll, TaskCompletionSource<bool> Done);

    private sealed record Tick;

    public NodeImpalaActor(NodeOptions options, string node, ILogger log) : base(log)
    {
        (_options, _node) = (options, node);
        // A learner answers while it is still joining (as the grid's coordinator does: NodeActor).
        Receive<ClusterEvent.MemberJoined>(e => FindLearner(e.Member));
        Receive<ClusterEvent.MemberUp>(e => FindLearner(e.Member));
        Receive<ClusterEvent.MemberRemoved>(e =>
        {
            if (e.Member.Address.Equals(_learnerAddress)) EndRun("the learner left the cluster", hello: false);
        });
        Receive<CoordinatorChallenge>(OnChallenge);
        Receive<Refused>(r => FromLearner(r, () => Log.LogError("The learner refused this node: {Reason}", r.Reason)));
        Receive<StartActors>(OnStart);
        Receive<SendUnroll>(OnSend);
        Receive<UnrollAck>(OnAck);
        Receive<WeightsChunk>(OnChunk);
        Receive<StopActors>(s => FromLearner(s, () => EndRun(s.Reason, hello: !s.Reason.Equals("the run ended", StringComparison.Ordinal))));
        Receive<Tick>(_ => CheckActors());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberJoined), typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(1));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        StopThreads();
    }

    private void FindLearner(Member member)
    {
        if (!member.HasRole(ClusterConfig.LearnerRole) || _learnerAddress is not null) return;
        _learnerAddress = member.Address;
        Hello();
    }

    private void Hello()
    {
        _nonce = Handshake.Nonce();
        Context.ActorSelection(new RootActorPath(_learnerAddress!) / "user" / ClusterActorHost.LearnerActorName)
            .Tell(new NodeHello(Handshake.ProtocolVersion, _node, _options.Slots, _nonce), Self);
    }

    private void FromLearner(IDeepRlMessage message, Action handle)
    {
        if (_learnerAddress is null || !Sender.Path.Address.Equals(_learnerAddress) || Malformed(message) is not null) return;
        handle();
    }

    private void OnChallenge(CoordinatorChallenge c) => FromLearner(c, () =>
    {
        var answer = Handshake.Answer(c, _options.Cluster.Secret, _nonce, _node, "learner", out string? problem);
        if (problem is not null) Log.LogError("Refusing the learner at {Address}: {Problem}", Sender.Path.Address, problem);
        Sender.Tell(answer, Self);
    });

    private void OnStart(StartActors start) => FromLearner(start, () =>
    {
        if (_actors is not null) return;
        ImpalaConfig config;
        Box observationSpace;
        Space actionSpace;
        try
        {
            config = JsonSerializer.Deserialize<ImpalaConfig>(start.HyperparametersJson, HyperparameterResolver.Json)
                     ?? throw new InvalidDataException("no hyperparameters");
            config.Validate();
            using var probe = EnvRegistry.Default.Make(start.EnvId, new EnvOptions(start.EnvOptions));
            (observationSpace, actionSpace) = (probe.ObservationSpace, probe.ActionSpace);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or JsonException or KeyNotFoundException)
        {
            Log.LogError("Cannot run IMPALA actors for {Env}: {Error}", start.EnvId, ex.Message);
            Sender.Tell(new StopActors(start.RunId, $"node {_node} cannot run {start.EnvId}: {ex.Message}"), Self);
            return;
        }
        _learner = Sender;
        _runId = start.RunId;
        TorchSharp.torch.set_num_threads(1); // the actor threads are the parallelism
        var link = new RemoteLink(Self, _board);
        _actors = new ActorThreads<Unroll>(start.Count, "impala-node", (actor, actorLink, cancel, sent) => ImpalaActor.RunThread(actor, config,
            observationSpace, actionSpace, n => VectorEnvs.Make(start.EnvId, n, VectorMode.Sync, options: new EnvOptions(start.EnvOptions)),
            start.Seed, actorLink, cancel, sent)) { FirstActor = start.FirstActor };
        _actors.Start(link);
        _learner.Tell(new WeightsRequest(start.RunId, -1), Self);
        _requesting = true;
        Log.LogInformation("Running IMPALA actors {First}–{Last} on {Env} for the learner at {Address}", start.FirstActor, start.FirstActor + start.Count - 1, start.EnvId, Sender.Path.Address);
    });

    private void OnSend(SendUnroll send)
    {
        if (_learner is null || _runId is null)
        {
            send.Done.TrySetResult(false);
            return;
        }
        long sequence = ++_sequence;
        var message = new ActorUnroll(_runId, sequence, send.Unroll);
        if (sequence == 1 && MessagePackAkkaSerializer.SizeOf(message) is var size && size > Limits.ChunkBytes * 3 / 2)
        {
            // Akka drops a message over its frame size; an actor would then wait for an acknowledgement that never comes.
            string reason = $"an unroll of {send.Unroll.Envs} envs × {send.Unroll.Steps} steps is {size:N0} bytes compressed, " +
                            $"over the cluster's {Limits.ChunkBytes * 2:N0}-byte frame: lower envs_per_actor or unroll_length";
            send.Done.TrySetResult(false);
            Log.LogError("IMPALA actors stop: {Reason}", reason);
            _learner.Tell(new StopActors(_runId, reason), Self);
            EndRun("unrolls too large", hello: false);
            return;
        }
        _inFlight[sequence] = send.Done;
        _learner.Tell(message, Self);
    }

    private void OnAck(UnrollAck ack) => FromLearner(ack, () =>
    {
        if (ack.RunId != _runId) return;
        if (_inFlight.Remove(ack.Sequence, out var done)) done.TrySetResult(true);
        if (!_requesting && ack.LatestVersion > (_board.Latest?.Version ?? -1))
        {
            _requesting = true;
            Sender.Tell(new WeightsRequest(_runId!, _board.Latest?.Version ?? -1), Self);
        }
    });

    private void OnChunk(WeightsChunk chunk) => FromLearner(chunk, () =>
    {
        if (chunk.RunId != _runId) return;
        if (chunk.Version != _assemblingVersion || _assembling is null || _assembling.Length != chunk.TotalValues)
        {
            _assembling = new float[chunk.TotalValues];
            _assemblingVersion = chunk.Version;
            _chunksLeft = chunk.Count;
        }
        chunk.Values.CopyTo(_assembling, chunk.Index * WeightsChunk.ValuesPerChunk);
        if (--_chunksLeft > 0) return;
        _board.Publish(new PolicyWeights(chunk.Version, _assembling));
        _assembling = null;
        _assemblingVersion = -1;
        _requesting = false;
    });

    /// <summary>An actor that failed here is this node's problem: the node reports it, stops its actors, and the learner goes on without them.</summary>
    private void CheckActors()
    {
        if (_actors?.Failure is not { } failure || _learner is null || _runId is null) return;
        Log.LogError("IMPALA {Error}; stopping this node's actors", failure.Message);
        _learner.Tell(new StopActors(_runId, failure.Message.Length > 1000 ? failure.Message[..1000] : failure.Message), Self);
        EndRun("an actor failed", hello: false);
    }

    private void EndRun(string why, bool hello)
    {
        if (_actors is not null) Log.LogInformation("Stopping IMPALA actors: {Why}", why);
        StopThreads();
        _learner = null;
        _runId = null;
        _requesting = false;
        _assembling = null;
        if (hello && _learnerAddress is not null) Hello();
        else if (!hello) _learnerAddress = null;
    }

    private void StopThreads()
    {
        foreach (var done in _inFlight.Values) done.TrySetResult(false);
        _inFlight.Clear();
        var actors = _actors;
        _actors = null;
        // Joining the threads would block this actor (their sends come through it): stop them in the background.
        if (actors is not null) Task.Run(actors.Dispose);
    }

    /// <summary>An actor thread's link: sends go through the node's Akka actor, weights come from its board.</summary>
    private sealed class RemoteLink(IActorRef node, WeightsBoard board) : IActorLink<Unroll>
    {
        public bool Send(Unroll experience, CancellationToken cancel)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            node.Tell(new SendUnroll(experience, done));
            try
            {
                // Bounded by the run: cancelled when the actors stop, completed false when the learner is gone.
                return done.Task.Wait(Timeout.Infinite, cancel) && done.Task.Result;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public PolicyWeights? NewerWeights(long version) => board.NewerThan(version);
    }
}
