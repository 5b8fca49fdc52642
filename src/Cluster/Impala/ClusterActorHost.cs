using Akka.Actor;
using DeepRL.Agents.Distributed;
using DeepRL.Agents.Impala;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cluster.Impala;

/// <summary>
/// IMPALA actors on the nodes of a DeepRL cluster, for a learner in this process: joins the cluster as a "learner"
/// member, admits each node that proves the secret, starts <c>actors_per_node</c> actors there, puts their unrolls into
/// the learner's queue and serves them the learner's weights. A node that leaves, crashes or reports a failed actor is
/// dropped and the run goes on with the others; a node that joins mid-run gets actors too.
/// </summary>
public sealed class ClusterActorHost(ClusterOptions options, ImpalaClusterRun run, ILogger log) : IActorHost<Unroll>
{
    public const string LearnerActorName = "impala-learner";

    private ActorSystem? _system;
    private IActorRef? _actor;
    internal int Active;
    internal long Sent;
    internal long BytesIn, BytesOut;

    /// <summary>This learner's cluster address once it has joined.</summary>
    public string? Address { get; private set; }

    public int ActiveActors => Volatile.Read(ref Active);

    public bool MayGainActors => true;

    public long StepsSent => Interlocked.Read(ref Sent);

    /// <summary>Bytes of unrolls received and of weights sent, as MessagePack payloads (without Akka's envelope).</summary>
    public (long In, long Out) Traffic => (Interlocked.Read(ref BytesIn), Interlocked.Read(ref BytesOut));

    public Exception? Failure => null; // a lost node is dropped, never fatal

    public void Start(ExperienceQueue<Unroll> queue, WeightsBoard board)
    {
        options.Validate();
        if (options.Join.Count == 0) throw new ArgumentException("IMPALA on a cluster joins a running one: give --cluster HOST:PORT of a node started with `deeprl node`.");
        _system = ClusterConfig.CreateSystem(options, ClusterConfig.LearnerRole, log);
        _actor = _system.ActorOf(Props.Create(() => new LearnerActor(this, run, queue, board, options.Secret, log)), LearnerActorName);
        var cluster = Akka.Cluster.Cluster.Get(_system);
        Address = cluster.SelfAddress.ToString();
        log.LogInformation("IMPALA learner {Address} joining {Seeds}: {PerNode} actor(s) per node", Address, string.Join(", ", options.Join), run.ActorsPerNode);
        cluster.JoinSeedNodes(ClusterConfig.Seeds(options));
    }

    public int Stop(TimeSpan timeout)
    {
        if (_system is null) return 0;
        _actor?.Tell(new LearnerActor.EndRun());
        Thread.Sleep(200); // lets the stop messages go out before the transport closes
        var (bytesIn, bytesOut) = Traffic;
        log.LogInformation("IMPALA cluster traffic: {In:N0} bytes of unrolls received, {Out:N0} bytes of weights sent", bytesIn, bytesOut);
        bool left = Shutdown.Leave(_system, log).Wait(timeout);
        _system = null;
        return left ? 0 : 1;
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(30));
}

/// <summary>What nodes need to run a learner's actors: the run, its env and hyperparameters, and how many actors per node.</summary>
public sealed record ImpalaClusterRun(string RunId, string EnvId, Dictionary<string, string> EnvOptions, string HyperparametersJson,
    int Seed, int ActorsPerNode, Func<Unroll, string?> Check);
