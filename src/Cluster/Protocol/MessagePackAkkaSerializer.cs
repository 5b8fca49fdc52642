using Akka.Actor;
using Akka.Serialization;
using System.Runtime.Serialization;
using MessagePack;

namespace DeepRL.Cluster.Protocol;

/// <summary>
/// Akka serializer for DeepRL's messages (bound to <see cref="IDeepRlMessage"/> in the cluster's config). MessagePack is
/// compact and fast where Akka's default JSON is neither; the manifest is a short fixed name per message type, so an
/// unknown or renamed type is refused by name. Data from the network is read with MessagePack's untrusted-data limits.
/// </summary>
public sealed class MessagePackAkkaSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka reserves 0–100; any fixed value above that identifies this serializer on the wire.</summary>
    public const int Id = 7341;

    private static readonly Dictionary<string, Type> Types = new()
    {
        ["hello"] = typeof(NodeHello),
        ["challenge"] = typeof(CoordinatorChallenge),
        ["proof"] = typeof(NodeProof),
        ["welcome"] = typeof(Welcome),
        ["refused"] = typeof(Refused),
        ["request"] = typeof(RequestCell),
        ["assign"] = typeof(AssignCell),
        ["chunk"] = typeof(ArtifactChunk),
        ["ack"] = typeof(ArtifactAck),
        ["return"] = typeof(ReturnCell),
        ["assembly"] = typeof(RequestAssembly),
        ["actors"] = typeof(StartActors),
        ["unroll"] = typeof(ActorUnroll),
        ["unroll-ack"] = typeof(UnrollAck),
        ["weights?"] = typeof(WeightsRequest),
        ["weights"] = typeof(WeightsChunk),
        ["actors-stop"] = typeof(StopActors),
    };

    private static readonly Dictionary<Type, string> Manifests = Types.ToDictionary(p => p.Value, p => p.Key);

    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    // Unrolls are mostly observations, which compress well (MinAtar's are 0/1 planes); LZ4 keeps them far below the frame
    // size. Reading with these options also reads uncompressed data.
    private static readonly MessagePackSerializerOptions Compressed = Options.WithCompression(MessagePackCompression.Lz4BlockArray);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"{o.GetType().Name} is not a DeepRL cluster message.");

    public override byte[] ToBinary(object obj) => MessagePackSerializer.Serialize(obj.GetType(), obj, obj is ActorUnroll ? Compressed : Options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException($"Unknown DeepRL message '{manifest}' (a member speaking another protocol version?).");
        try
        {
            return MessagePackSerializer.Deserialize(type, bytes, type == typeof(ActorUnroll) ? Compressed : Options)
                   ?? throw new SerializationException($"An empty '{manifest}' message.");
        }
        catch (MessagePackSerializationException ex)
        {
            throw new SerializationException($"A malformed '{manifest}' message: {ex.Message}");
        }
    }

    /// <summary>The size of a message on the wire (payload only, without Akka's envelope): for measurements.</summary>
    public static int SizeOf(IDeepRlMessage message) =>
        MessagePackSerializer.Serialize(message.GetType(), message, message is ActorUnroll ? Compressed : Options).Length;
}
