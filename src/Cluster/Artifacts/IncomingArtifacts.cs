using System.Security.Cryptography;
using Akka.Actor;
using DeepRL.Cluster.Protocol;

namespace DeepRL.Cluster.Artifacts;

/// <summary>
/// Artifacts being received: chunks are checked against the transfer's first chunk (count, size, checksum), written to a
/// temp file, and the whole file's SHA-256 is verified with the last chunk. A complete, verified artifact is handed to
/// the owner; a bad one is answered with a negative ack, and the sender starts it again. Used from one actor's thread.
/// </summary>
public sealed class IncomingArtifacts(int maxConcurrent = 64) : IDisposable
{
    private readonly Dictionary<string, Transfer> _transfers = [];

    private sealed class Transfer(ArtifactChunk first, string path, IActorRef sender)
    {
        public ArtifactChunk First { get; } = first;
        public string Path { get; } = path;
        public IActorRef Sender { get; } = sender;
        public FileStream File { get; } = new(path, FileMode.Create, FileAccess.ReadWrite);
        public IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public int Next { get; set; }
    }

    /// <summary>
    /// Takes one chunk (already validated) and acks it to <paramref name="sender"/>. Returns the path of the complete,
    /// verified file (the caller owns it) after the last chunk; otherwise null.
    /// </summary>
    public string? OnChunk(ArtifactChunk chunk, IActorRef sender, IActorRef self)
    {
        if (chunk.Index == 0)
        {
            Drop(chunk.TransferId);
            if (_transfers.Count >= maxConcurrent) return Nack(chunk, sender, self, "too many transfers at once");
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"deeprl-incoming-{Guid.NewGuid():N}.zip");
            _transfers[chunk.TransferId] = new Transfer(chunk, path, sender);
        }
        if (!_transfers.TryGetValue(chunk.TransferId, out var t)) return Nack(chunk, sender, self, "unknown transfer (send it from its first chunk)");
        if (!t.Sender.Equals(sender)) return Nack(chunk, sender, self, "the transfer belongs to another member");
        if (chunk.Index != t.Next || chunk.Count != t.First.Count || chunk.TotalBytes != t.First.TotalBytes
            || !chunk.Sha256.AsSpan().SequenceEqual(t.First.Sha256) || chunk.Cell != t.First.Cell || chunk.Kind != t.First.Kind)
            return Fail(t, chunk, sender, self, $"chunk {chunk.Index} does not continue the transfer");
        int expected = (int)Math.Min(Limits.ChunkBytes, chunk.TotalBytes - (long)chunk.Index * Limits.ChunkBytes);
        if (chunk.Data.Length != expected) return Fail(t, chunk, sender, self, $"chunk {chunk.Index} has {chunk.Data.Length} bytes, expected {expected}");
        t.File.Write(chunk.Data);
        t.Hash.AppendData(chunk.Data);
        t.Next++;
        if (chunk.Index < chunk.Count - 1)
        {
            sender.Tell(new ArtifactAck(chunk.TransferId, chunk.Index, true, null), self);
            return null;
        }
        byte[] actual = t.Hash.GetHashAndReset();
        if (!actual.AsSpan().SequenceEqual(chunk.Sha256)) return Fail(t, chunk, sender, self, "the SHA-256 of the received file does not match");
        t.File.Dispose();
        t.Hash.Dispose();
        _transfers.Remove(chunk.TransferId);
        return t.Path;
    }

    /// <summary>Acks the last chunk of a transfer once the owner has stored it (or refuses it, e.g. a checkpoint that does not verify).</summary>
    public static void Complete(ArtifactChunk last, IActorRef sender, IActorRef self, string? error) =>
        sender.Tell(new ArtifactAck(last.TransferId, last.Index, error is null, error), self);

    /// <summary>Drops every transfer from a member that left.</summary>
    public void DropFrom(Address address)
    {
        foreach (var id in _transfers.Where(p => p.Value.Sender.Path.Address.Equals(address)).Select(p => p.Key).ToList()) Drop(id);
    }

    private string? Fail(Transfer t, ArtifactChunk chunk, IActorRef sender, IActorRef self, string error)
    {
        Drop(chunk.TransferId);
        return Nack(chunk, sender, self, error);
    }

    private static string? Nack(ArtifactChunk chunk, IActorRef sender, IActorRef self, string error)
    {
        sender.Tell(new ArtifactAck(chunk.TransferId, chunk.Index, false, error), self);
        return null;
    }

    private void Drop(string id)
    {
        if (!_transfers.Remove(id, out var t)) return;
        t.File.Dispose();
        t.Hash.Dispose();
        File.Delete(t.Path);
    }

    public void Dispose()
    {
        foreach (var id in _transfers.Keys.ToList()) Drop(id);
    }
}
