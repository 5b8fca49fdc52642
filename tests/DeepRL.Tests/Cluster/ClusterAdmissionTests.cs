using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using DeepRL.Cluster;
using DeepRL.Cluster.Protocol;
using DeepRL.Tests.Cli;

namespace DeepRL.Tests.Cluster;

/// <summary>
/// Who may work for a coordinator: a node with the wrong secret is refused (logged on both sides); members speaking
/// another protocol version, sending malformed or oversized messages, or asking for work without the handshake are
/// refused or dropped, and the coordinator goes on to finish its grid with a node that holds the secret.
/// </summary>
[Category("Process")]
[NonParallelizable]
public class ClusterAdmissionTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-admission-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Wrong_secrets_other_protocol_versions_and_junk_are_refused_and_the_grid_still_finishes()
    {
        string good = Path.Combine(_dir, "secret"), bad = Path.Combine(_dir, "other-secret");
        File.WriteAllText(good, "correct horse battery staple 42\n");
        File.WriteAllText(bad, "some other secret of enough length\n");

        using var wrong = DeepRlProcess.Node("wrong", Path.Combine(_dir, "wrong"), null, "--secret-file", bad);
        string folder = Path.Combine(_dir, "bench");
        using var coordinator = DeepRlProcess.Start("benchmark", "--out", folder, "--cluster", wrong.Endpoint!, "--secret-file", good, "--down-after", "2",
            "--envs", "CartPole-v1", "--algos", "ppo", "--seeds", "1", "--steps", "2000", "--eval-every", "1000", "--eval-episodes", "2", "--no-progress");

        // The node with another secret: refused on both sides, no cell given.
        wrong.WaitFor("Refusing the coordinator at .*: the coordinator does not hold this member's secret", TimeSpan.FromSeconds(60));
        coordinator.WaitFor("Node at .* refused this coordinator: node wrong refused the coordinator", TimeSpan.FromSeconds(30));
        Assert.That(Directory.Exists(Path.Combine(folder, "runs")) && Directory.EnumerateFileSystemEntries(Path.Combine(folder, "runs")).Any(), Is.False,
            "the refused node got no work");

        var join = wrong.Endpoint!;
        using (var hostile = Join("hostile", join, "akka.remote.dot-netty.tcp.maximum-frame-size = 8MB"))
        {
            var coordinatorRef = CoordinatorOf(hostile);
            var ask = TimeSpan.FromSeconds(20);

            var version = coordinatorRef.Ask<Refused>(new NodeHello(99, "future", 1, new byte[32]), ask).Result;
            Assert.That(version.Reason, Does.Contain("protocol 99").And.Contain($"speaks {Handshake.ProtocolVersion}"), "both versions named");
            coordinator.WaitFor("Refused node future at .*protocol 99", TimeSpan.FromSeconds(10));

            var malformed = coordinatorRef.Ask<Refused>(new NodeHello(Handshake.ProtocolVersion, new string('x', 10_000), 1, new byte[32]), ask).Result;
            Assert.That(malformed.Reason, Does.Contain("malformed NodeHello").And.Contain("10000 characters"));

            var unproven = coordinatorRef.Ask<Refused>(new RequestCell("anything"), ask).Result;
            Assert.That(unproven.Reason, Does.Contain("has not passed the handshake"));

            // Larger than the coordinator's frame limit: dropped by its transport, never delivered.
            coordinatorRef.Tell(new ArtifactChunk("t", "c", ArtifactKind.Checkpoint, 0, 9, 2_200_000, new byte[32], new byte[2_100_000], 0));
        }
        using (var junk = Join("junk", join, $$"""
            akka.actor.serializers.deeprl = "{{typeof(GarbageSerializer).AssemblyQualifiedName}}"
            akka.actor.serialization-bindings { "{{typeof(Garbage).AssemblyQualifiedName}}" = deeprl }
            """))
        {
            // Bytes that are not MessagePack under a real message's manifest: the coordinator's serializer refuses them.
            var coordinatorRef = CoordinatorOf(junk);
            for (int i = 0; i < 5; i++) coordinatorRef.Tell(new Garbage(i));
        }

        // Still running and still strict: a node with the secret joins and finishes the grid.
        using var node = DeepRlProcess.Node("good", Path.Combine(_dir, "good"), join, "--secret-file", good);
        Assert.That(coordinator.WaitForExit(TimeSpan.FromMinutes(3)), Is.Zero, coordinator.Output);
        TestContext.Out.WriteLine(coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain("1/1 cells finished").And.Contain("Node good at").And.Contain("passed the handshake"));
        Assert.That(File.ReadAllLines(Path.Combine(folder, "results.csv"))[1], Does.StartWith("CartPole-v1,ppo,1,completed,").And.EndWith(",good"));
    }

    [Test]
    public void Listening_off_loopback_without_a_secret_is_refused_before_anything_starts()
    {
        var r = CliRunner.RunProcess(TimeSpan.FromMinutes(1), "node", "--listen", "0.0.0.0:0", "--work-dir", _dir);
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("Listening on 0.0.0.0 (not loopback) needs a shared secret: give --secret-file FILE"));
    }

    /// <summary>An actor system of the test's own that joins the cluster as a node (with extra config) and is Up.</summary>
    private static ActorSystem Join(string name, string seed, string extraConfig)
    {
        var config = ConfigurationFactory.ParseString(extraConfig)
            .WithFallback(ClusterConfig.For(new ClusterOptions { Join = [seed] }, ClusterConfig.NodeRole));
        var system = ActorSystem.Create(ClusterConfig.SystemName, config);
        var cluster = Akka.Cluster.Cluster.Get(system);
        DeepRlProcess.WaitUntil(() => cluster.State.Members.Any(m => m.Address.Equals(cluster.SelfAddress) && m.Status == Akka.Cluster.MemberStatus.Up)
            && cluster.State.Members.Any(m => m.HasRole(ClusterConfig.CoordinatorRole) && m.Status == Akka.Cluster.MemberStatus.Up),
            $"{name} to be up beside the coordinator", TimeSpan.FromSeconds(60));
        return system;
    }

    private static ActorSelection CoordinatorOf(ActorSystem system)
    {
        // The one that is up: a coordinator that was downed and joined again can still be listed, leaving, for a moment.
        var coordinator = Akka.Cluster.Cluster.Get(system).State.Members
            .Single(m => m.HasRole(ClusterConfig.CoordinatorRole) && m.Status == Akka.Cluster.MemberStatus.Up);
        return system.ActorSelection(new RootActorPath(coordinator.Address) / "user" / ClusterGrid.CoordinatorActorName);
    }

    public sealed record Garbage(int Seed);

    /// <summary>Writes random bytes under the manifest of a real DeepRL message, with DeepRL's serializer id.</summary>
    public sealed class GarbageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
    {
        public override int Identifier => MessagePackAkkaSerializer.Id;

        public override string Manifest(object o) => "assign";

        public override byte[] ToBinary(object obj)
        {
            var bytes = new byte[100];
            new Random(((Garbage)obj).Seed).NextBytes(bytes);
            return bytes;
        }

        public override object FromBinary(byte[] bytes, string manifest) => throw new NotSupportedException();
    }
}
