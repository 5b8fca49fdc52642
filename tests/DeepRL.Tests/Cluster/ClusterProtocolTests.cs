using System.IO.Compression;
using System.Runtime.Serialization;
using Akka.Actor;
using DeepRL.Agents.Training;
using DeepRL.Cluster;
using DeepRL.Cluster.Artifacts;
using DeepRL.Cluster.Protocol;

namespace DeepRL.Tests.Cluster;

/// <summary>The cluster's messages on the wire, their validation, the handshake and run archives — without a network.</summary>
[Category("Fast")]
public class ClusterProtocolTests
{
    private ActorSystem _system = null!;
    private MessagePackAkkaSerializer _serializer = null!;

    [OneTimeSetUp]
    public void CreateSystem()
    {
        _system = ActorSystem.Create("protocol-tests");
        _serializer = new MessagePackAkkaSerializer((ExtendedActorSystem)_system);
    }

    [OneTimeTearDown]
    public void Terminate() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private static readonly string Spec = new DeepRL.Agents.Benchmarking.BenchmarkSpec
    {
        Envs = ["MinAtar/Breakout-v1", "MinAtar/SpaceInvaders-v1", "MinAtar/Freeway-v1", "MinAtar/Asterix-v1", "MinAtar/Seaquest-v1"],
        Algos = ["dqn", "ppo", "a2c"], Seeds = 3, Steps = 5_000_000,
    }.ToJson();

    private static IEnumerable<IDeepRlMessage> Messages() =>
    [
        new NodeHello(Handshake.ProtocolVersion, "gpu-box-3:4053", 2, new byte[32]),
        new CoordinatorChallenge(Handshake.ProtocolVersion, new byte[32], new byte[32]),
        new NodeProof(new byte[32]),
        new Welcome("minatar-0123abcd"),
        new Refused("the coordinator refused node x: wrong secret"),
        new RequestCell("minatar-0123abcd"),
        new AssignCell("minatar-0123abcd", Spec, "MinAtar/Breakout-v1", "dqn", 3, 0, [new AssemblyRef("MyEnvs.dll", new string('a', 64))]),
        new RequestAssembly("minatar-0123abcd", new string('b', 64)),
        new ArtifactChunk(Guid.NewGuid().ToString("N"), "MinAtar_Breakout-v1__dqn__3", ArtifactKind.Checkpoint, 0, 39, 10_000_000, new byte[32], new byte[Limits.ChunkBytes], 0),
        new ArtifactAck(Guid.NewGuid().ToString("N"), 7, true, null),
        new ReturnCell("minatar-0123abcd", "MinAtar_Breakout-v1__dqn__3"),
    ];

    [Test]
    public void Every_message_round_trips_through_the_messagepack_serializer_and_its_size_is_small()
    {
        foreach (var message in Messages())
        {
            Assert.That(message.Validate(), Is.Null, message.GetType().Name);
            byte[] bytes = _serializer.ToBinary(message);
            var back = (IDeepRlMessage)_serializer.FromBinary(bytes, _serializer.Manifest(message));
            Assert.That(back.GetType(), Is.EqualTo(message.GetType()));
            Assert.That(_serializer.ToBinary(back), Is.EqualTo(bytes), $"{message.GetType().Name} survives the trip");
            // Everything but a chunk's data and the benchmark definition is a few dozen bytes.
            int overhead = message switch
            {
                ArtifactChunk c => bytes.Length - c.Data.Length,
                AssignCell a => bytes.Length - a.SpecJson.Length,
                _ => bytes.Length,
            };
            TestContext.Out.WriteLine($"{message.GetType().Name}: {bytes.Length} bytes ({overhead} besides data)");
            Assert.That(overhead, Is.LessThan(200), message.GetType().Name);
        }
        Assert.That(MessagePackAkkaSerializer.SizeOf(Messages().OfType<ArtifactChunk>().Single()), Is.LessThan(Limits.ChunkBytes * 2),
            "a full chunk fits Akka's frame limit");
    }

    [Test]
    public void Unknown_and_malformed_bytes_are_refused_with_the_manifest_named()
    {
        var unknown = Assert.Throws<SerializationException>(() => _serializer.FromBinary([1, 2, 3], "launch-missiles"));
        Assert.That(unknown!.Message, Does.Contain("Unknown DeepRL message 'launch-missiles'"));
        var garbage = Assert.Throws<SerializationException>(() => _serializer.FromBinary([0xc1, 0xff, 0x00, 0x13], "assign"));
        Assert.That(garbage!.Message, Does.Contain("malformed 'assign'"));
        Assert.Throws<ArgumentException>(() => _serializer.Manifest("not a message"));
    }

    [TestCase("node", "the node name is empty")]
    [TestCase("slots", "slots must be 1 to 1024, got 0")]
    [TestCase("path", "'../etc' is not a plain name")]
    [TestCase("chunk-count", "3 chunks do not fit 10 bytes")]
    [TestCase("chunk-index", "chunk 5 of 1")]
    [TestCase("chunk-data", "the chunk has 262145 bytes")]
    [TestCase("kind", "unknown artifact kind 9")]
    [TestCase("plugin", "the plugin's hash is not a lower-case hex SHA-256")]
    [TestCase("plugin-name", "the plugin 'evil.sh' is not a .dll")]
    public void Malformed_messages_are_described(string what, string problem)
    {
        IDeepRlMessage message = what switch
        {
            "node" => new NodeHello(1, "", 1, new byte[32]),
            "slots" => new NodeHello(1, "n", 0, new byte[32]),
            "path" => new ReturnCell("b", "../etc"),
            "chunk-count" => new ArtifactChunk("t", "c", ArtifactKind.Final, 0, 3, 10, new byte[32], new byte[10], 0),
            "chunk-index" => new ArtifactChunk("t", "c", ArtifactKind.Final, 5, 1, 10, new byte[32], new byte[10], 0),
            "chunk-data" => new ArtifactChunk("t", "c", ArtifactKind.Final, 0, 2, Limits.ChunkBytes + 1, new byte[32], new byte[Limits.ChunkBytes + 1], 0),
            "kind" => new ArtifactChunk("t", "c", (ArtifactKind)9, 0, 1, 10, new byte[32], new byte[10], 0),
            "plugin" => new RequestAssembly("b", "ABC"),
            "plugin-name" => new AssignCell("b", "{}", "E-v0", "ppo", 1, 0, [new AssemblyRef("evil.sh", new string('a', 64))]),
            _ => throw new ArgumentException(what),
        };
        Assert.That(message.Validate(), Does.Contain(problem));
    }

    [Test]
    public void The_handshake_proves_the_secret_both_ways_and_names_what_differs()
    {
        byte[] secret = "0123456789abcdef0123"u8.ToArray(), other = "fedcba9876543210fedc"u8.ToArray();
        byte[] nonce = Handshake.Nonce();
        Assert.That(Handshake.Check(secret, "node", nonce, Handshake.Proof(secret, "node", nonce)), Is.Null);
        Assert.That(Handshake.Check(secret, "node", nonce, Handshake.Proof(other, "node", nonce)), Does.Contain("does not hold this member's secret"));
        Assert.That(Handshake.Check(secret, "node", nonce, Handshake.Proof(secret, "coordinator", nonce)), Is.Not.Null, "a proof for the other role is no proof");
        Assert.That(Handshake.Check(secret, "node", Handshake.Nonce(), Handshake.Proof(secret, "node", nonce)), Is.Not.Null, "a replayed proof is no proof");
        Assert.That(Handshake.Check(null, "node", nonce, Handshake.Proof(secret, "node", nonce)), Does.Contain("holds a secret and this member has none"));
        Assert.That(Handshake.Check(secret, "node", nonce, []), Does.Contain("has no secret and this member requires one"));
        Assert.That(Handshake.CheckVersion(Handshake.ProtocolVersion + 1, "node"), Does.Contain($"protocol {Handshake.ProtocolVersion + 1}").And.Contain($"speaks {Handshake.ProtocolVersion}"));
    }

    [Test]
    public void Options_off_loopback_need_a_secret_of_16_bytes()
    {
        // Validation only: nothing here listens or connects.
        Assert.That(() => new ClusterOptions { Host = "0.0.0.0" }.Validate(), Throws.ArgumentException.With.Message.Contains("needs a shared secret"));
        Assert.That(() => new ClusterOptions { Host = "0.0.0.0", Secret = new byte[8] }.Validate(), Throws.ArgumentException.With.Message.Contains("at least 16"));
        Assert.That(() => new ClusterOptions { Host = "::1" }.Validate(), Throws.Nothing);
        Assert.That(() => new ClusterOptions { Join = ["nohost"] }.Validate(), Throws.ArgumentException.With.Message.Contains("is not HOST:PORT"));
        Assert.That(ClusterOptions.ParseEndpoint("[::1]:4053"), Is.EqualTo(("::1", 4053)));
    }

    [Test]
    public void A_run_archive_carries_complete_checkpoints_and_the_log_and_refuses_tampering()
    {
        string dir = Directory.CreateTempSubdirectory("deeprl-archive-").FullName;
        try
        {
            string run = Path.Combine(dir, "run");
            string latest = Path.Combine(run, "checkpoints", "latest");
            Directory.CreateDirectory(latest);
            File.WriteAllText(Path.Combine(run, "metrics.csv"), "step,return\n1,2\n");
            File.WriteAllBytes(Path.Combine(latest, "model.pt"), [1, 2, 3, 4]);
            CheckpointManifest.Write(latest);
            Directory.CreateDirectory(Path.Combine(run, "checkpoints", "latest.tmp")); // a save in progress: left out
            File.WriteAllText(Path.Combine(dir, "cell.log"), "training output");

            var (zip, sha) = RunArchive.Pack(run, Path.Combine(dir, "cell.log"));
            Assert.That(sha, Is.EqualTo(RunArchive.Hash(zip)));
            string copy = Path.Combine(dir, "copy"), log = Path.Combine(dir, "logs", "copy.log");
            RunArchive.Unpack(zip, copy, log);
            Assert.That(File.ReadAllBytes(Path.Combine(copy, "checkpoints", "latest", "model.pt")), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
            Assert.That(File.ReadAllText(log), Is.EqualTo("training output"));
            Assert.That(Directory.Exists(Path.Combine(copy, "checkpoints", "latest.tmp")), Is.False);

            // A checkpoint file changed in transit: refused, and the folder that was there stays.
            using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
            {
                archive.GetEntry("checkpoints/latest/model.pt")!.Delete();
                using var writer = archive.CreateEntry("checkpoints/latest/model.pt").Open();
                writer.Write([9, 9, 9, 9]);
            }
            Assert.That(() => RunArchive.Unpack(zip, copy), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("model.pt"));
            Assert.That(File.ReadAllBytes(Path.Combine(copy, "checkpoints", "latest", "model.pt")), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));

            // An entry that climbs out of the run folder: refused before anything is written.
            using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
            {
                using var writer = archive.CreateEntry("../../escaped.txt").Open();
                writer.Write([1]);
            }
            Assert.That(() => RunArchive.Unpack(zip, copy), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("points outside the run folder"));
            Assert.That(File.Exists(Path.Combine(dir, "escaped.txt")), Is.False);
            File.Delete(zip);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
