using Akka.Actor;
using DeepRL.Cluster.Protocol;

namespace DeepRL.Cluster.Artifacts;

/// <summary>
/// An artifact being sent in chunks, one chunk in flight at a time (the receiver acks each): memory stays at one chunk
/// whatever the artifact's size. A failed checksum restarts the transfer, up to <see cref="MaxAttempts"/> times.
/// Used from one actor's thread only.
/// </summary>
public sealed class OutgoingArtifact : IDisposable
{
    public const int MaxAttempts = 3;

    private readonly FileStream _file;
    private readonly byte[] _sha256;
    private readonly int _count;
    private readonly IActorRef _to;
    private readonly IActorRef _from;
    private int _next;

    public OutgoingArtifact(string path, byte[] sha256, string cell, ArtifactKind kind, int exitCode, IActorRef to, IActorRef from)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.DeleteOnClose);
        _sha256 = sha256;
        TotalBytes = _file.Length;
        _count = Math.Max(1, (int)((TotalBytes + Limits.ChunkBytes - 1) / Limits.ChunkBytes));
        Cell = cell;
        Kind = kind;
        ExitCode = exitCode;
        _to = to;
        _from = from;
        TransferId = Guid.NewGuid().ToString("N");
    }

    public string TransferId { get; }

    /// <summary>The receiving actor.</summary>
    public IActorRef To => _to;

    public string Cell { get; }

    public ArtifactKind Kind { get; }

    public int ExitCode { get; }

    public long TotalBytes { get; }

    public int Attempts { get; private set; } = 1;

    /// <summary>Sends the first chunk.</summary>
    public void Start() => SendChunk(0);

    /// <summary>Handles the receiver's ack; returns true when the whole artifact has been accepted.</summary>
    public bool OnAck(ArtifactAck ack)
    {
        if (!ack.Ok)
        {
            if (++Attempts > MaxAttempts)
                throw new InvalidDataException($"The receiver refused artifact {TransferId} {MaxAttempts} times: {ack.Error}");
            SendChunk(0);
            return false;
        }
        if (ack.Index != _next) return false; // a late duplicate
        if (_next == _count - 1) return true;
        SendChunk(_next + 1);
        return false;
    }

    private void SendChunk(int index)
    {
        _next = index;
        var data = new byte[(int)Math.Min(Limits.ChunkBytes, TotalBytes - (long)index * Limits.ChunkBytes)];
        _file.Position = (long)index * Limits.ChunkBytes;
        _file.ReadExactly(data);
        _to.Tell(new ArtifactChunk(TransferId, Cell, Kind, index, _count, TotalBytes, _sha256, data, ExitCode), _from);
    }

    public void Dispose() => _file.Dispose();
}
