using System.Text.Json;
using Akka.Actor;
using DeepRL.Agents;
using DeepRL.Agents.Config;
using DeepRL.Agents.Impala;
using DeepRL.Cluster.Protocol;
using DeepRL.Environments;
using DeepRL.Environments.Vector;
using static TorchSharp.torch;

namespace DeepRL.Tests.Cluster;

/// <summary>IMPALA's cluster messages on the wire: round trips, sizes (real unrolls), validation — without a network.</summary>
[Category("Fast")]
public class ImpalaProtocolTests
{
    private ActorSystem _system = null!;
    private MessagePackAkkaSerializer _serializer = null!;

    [OneTimeSetUp]
    public void CreateSystem()
    {
        _system = ActorSystem.Create("impala-protocol-tests");
        _serializer = new MessagePackAkkaSerializer((ExtendedActorSystem)_system);
    }

    [OneTimeTearDown]
    public void Terminate() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>A real unroll of the env's IMPALA defaults (MinAtar: 16 envs × 20 steps of 10×10×4 observations).</summary>
    private static (Unroll Unroll, int WeightCount) CollectUnroll(string envId)
    {
        var config = AgentCatalog.ResolveHyperparameters("impala", envId, null, []).Deserialize<ImpalaConfig>(HyperparameterResolver.Json)!;
        using var probe = EnvRegistry.Default.Make(envId);
        using var learner = new ImpalaLearner(config, probe.ObservationSpace, probe.ActionSpace, CPU);
        using var envs = VectorEnvs.Make(envId, config.EnvsPerActor, VectorMode.Sync);
        envs.Reset(3);
        using var actor = new ImpalaActor(0, config, probe.ObservationSpace, probe.ActionSpace, envs, seed: 1);
        var weights = learner.Publish();
        actor.Load(weights);
        actor.Collect(CancellationToken.None); // past the first steps of every episode
        return (actor.Collect(CancellationToken.None)!, weights.Values.Length);
    }

    [TestCase("MinAtar/Breakout-v1")]
    [TestCase("CartPole-v1")]
    public void Messages_round_trip_and_an_unroll_is_far_below_the_frame_size(string envId)
    {
        var (unroll, weightCount) = CollectUnroll(envId);
        string hyperparameters = AgentCatalog.ResolveHyperparameters("impala", envId, null, []).ToJsonString();
        IDeepRlMessage[] messages =
        [
            new StartActors("impala-0123456789abcdef", envId, new() { ["sticky"] = "0.1" }, hyperparameters, 1, 2, 1000),
            new ActorUnroll("impala-0123456789abcdef", 42, unroll),
            new UnrollAck("impala-0123456789abcdef", 42, 1234),
            new WeightsRequest("impala-0123456789abcdef", 1200),
            new WeightsChunk("impala-0123456789abcdef", 1234, 0, (weightCount + WeightsChunk.ValuesPerChunk - 1) / WeightsChunk.ValuesPerChunk, weightCount,
                new float[Math.Min(WeightsChunk.ValuesPerChunk, weightCount)].Select((_, i) => MathF.Sin(i)).ToArray()),
            new StopActors("impala-0123456789abcdef", "the run ended"),
        ];
        foreach (var message in messages)
        {
            Assert.That(message.Validate(), Is.Null, message.GetType().Name);
            byte[] bytes = _serializer.ToBinary(message);
            var back = (IDeepRlMessage)_serializer.FromBinary(bytes, _serializer.Manifest(message));
            Assert.That(_serializer.ToBinary(back), Is.EqualTo(bytes), $"{message.GetType().Name} survives the trip");
            Assert.That(bytes.Length, Is.LessThan(Limits.ChunkBytes * 2), $"{message.GetType().Name} fits Akka's frame");
            string perStep = message is ActorUnroll u ? $", {bytes.Length / (double)u.Unroll.EnvSteps:F1} bytes per env step" : "";
            TestContext.Out.WriteLine($"{envId} {message.GetType().Name}: {bytes.Length} bytes{perStep}");
        }
        var sent = (ActorUnroll)_serializer.FromBinary(_serializer.ToBinary(messages[1]), "unroll");
        Assert.That(sent.Unroll.Observations, Is.EqualTo(unroll.Observations));
        Assert.That(sent.Unroll.BehaviourOutputs, Is.EqualTo(unroll.BehaviourOutputs));
        int raw = MessagePack.MessagePackSerializer.Serialize(unroll).Length;
        TestContext.Out.WriteLine($"{envId}: {weightCount} weights in {messages[4].Validate() ?? "ok"} chunks of {WeightsChunk.ValuesPerChunk}; unroll {raw} bytes uncompressed");
        Assert.That(_serializer.ToBinary(messages[1]).Length, Is.LessThan(raw), "LZ4 shrinks unrolls");
    }

    [TestCase("count", "3 chunks do not fit 10 weights")]
    [TestCase("length", "the chunk has the wrong number of weights")]
    [TestCase("actors", "0 actors (1 to 256)")]
    [TestCase("ack", "a negative version")]
    public void Malformed_impala_messages_are_described(string what, string problem)
    {
        IDeepRlMessage message = what switch
        {
            "count" => new WeightsChunk("r", 1, 0, 3, 10, new float[10]),
            "length" => new WeightsChunk("r", 1, 0, 1, 10, new float[9]),
            "actors" => new StartActors("r", "CartPole-v1", [], "{}", 1, 0, 0),
            "ack" => new UnrollAck("r", 1, -5),
            _ => throw new ArgumentException(what),
        };
        Assert.That(message.Validate(), Does.Contain(problem));
    }
}
