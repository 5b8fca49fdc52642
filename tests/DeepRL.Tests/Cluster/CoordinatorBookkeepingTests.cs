using System.Collections.Concurrent;
using Akka.Actor;
using DeepRL.Agents.Benchmarking;
using DeepRL.Agents.Training;
using DeepRL.Cluster;
using DeepRL.Cluster.Artifacts;
using DeepRL.Cluster.Coordinator;
using DeepRL.Cluster.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeepRL.Tests.Cluster;

/// <summary>
/// The coordinator actor in a one-member cluster of its own, talked to by a probe that plays a node: a cell delivered
/// twice (a node that came back) is recorded once, and a checkpoint from a node that no longer holds a cell is ignored.
/// </summary>
[Category("Fast")]
public class CoordinatorBookkeepingTests
{
    private sealed class Probe : ReceiveActor
    {
        public Probe(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }

    [Test]
    public void A_cell_delivered_twice_is_recorded_once()
    {
        string folder = Directory.CreateTempSubdirectory("deeprl-coordinator-").FullName;
        using var system = ClusterConfig.CreateSystem(new ClusterOptions(), ClusterConfig.CoordinatorRole, NullLogger.Instance);
        try
        {
            var spec = new BenchmarkSpec { Envs = ["CartPole-v1"], Algos = ["ppo"], Seeds = 1, Steps = 1000 };
            var cell = spec.Cells().Single();
            var state = new GridState(spec.Cells());
            var finishes = new ConcurrentQueue<int?>();
            var coordinator = system.ActorOf(Props.Create(() => new CoordinatorActor(folder, spec, "bench-1", null, state, NullLogger.Instance,
                (_, code) => finishes.Enqueue(code))), ClusterGrid.CoordinatorActorName);
            var inbox = new BlockingCollection<object>();
            var node = system.ActorOf(Props.Create(() => new Probe(inbox)), "node");
            T Next<T>() => inbox.TryTake(out var m, TimeSpan.FromSeconds(10)) ? (T)m : throw new TimeoutException($"no {typeof(T).Name}");

            coordinator.Tell(new NodeHello(Handshake.ProtocolVersion, "n1", 1, Handshake.Nonce()), node);
            Next<CoordinatorChallenge>();
            coordinator.Tell(new NodeProof([]), node);
            Assert.That(Next<Welcome>().BenchmarkId, Is.EqualTo("bench-1"));
            coordinator.Tell(new RequestCell("bench-1"), node);
            var assigned = Next<AssignCell>();
            Assert.That((assigned.Env, assigned.Algo, assigned.Seed, assigned.ResumeBytes), Is.EqualTo(("CartPole-v1", "ppo", 1, 0L)));

            // The finished run folder, delivered the way a node delivers it.
            string run = Path.Combine(folder, "node-side", cell.Name), latest = Path.Combine(run, "checkpoints", "latest");
            Directory.CreateDirectory(latest);
            File.WriteAllBytes(Path.Combine(latest, "model.pt"), [1, 2, 3]);
            CheckpointManifest.Write(latest);
            void Deliver(ArtifactKind kind)
            {
                var (zip, sha) = RunArchive.Pack(run);
                using var artifact = new OutgoingArtifact(zip, sha, cell.Name, kind, 0, coordinator, node);
                artifact.Start();
                while (true)
                {
                    var ack = Next<ArtifactAck>();
                    Assert.That(ack.Ok, Is.True, ack.Error);
                    if (artifact.OnAck(ack)) return;
                }
            }
            Deliver(ArtifactKind.Final);
            Assert.That(state.Done.Wait(TimeSpan.FromSeconds(10)), Is.True, "the grid is done");
            Assert.That(File.ReadAllBytes(Path.Combine(folder, "runs", cell.Name, "checkpoints", "latest", "model.pt")), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(File.ReadAllText(BenchmarkResults.NodeFile(folder, cell)), Is.EqualTo("n1"));

            // The same cell again (a node the cluster had given up on, come back) and a late checkpoint: accepted, not recorded.
            File.WriteAllBytes(Path.Combine(latest, "model.pt"), [7, 7, 7]);
            CheckpointManifest.Write(latest);
            Deliver(ArtifactKind.Final);
            Deliver(ArtifactKind.Checkpoint);
            Assert.That(finishes.Where(code => code is not null), Is.EqualTo(new int?[] { 0 }), "finished once");
            Assert.That(File.ReadAllBytes(Path.Combine(folder, "runs", cell.Name, "checkpoints", "latest", "model.pt")), Is.EqualTo(new byte[] { 1, 2, 3 }),
                "the first result stands");
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(15));
            Directory.Delete(folder, recursive: true);
        }
    }
}
