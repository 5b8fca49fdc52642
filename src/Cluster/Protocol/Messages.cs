using MessagePack;

namespace DeepRL.Cluster.Protocol;

/// <summary>
/// Every message DeepRL members exchange. Each is a small MessagePack record (see <see cref="MessagePackAkkaSerializer"/>);
/// replies go to the Akka sender, so no message carries an actor reference. Whatever arrives from the network is checked
/// with <see cref="Validate"/> before it is acted on: a member that sends nonsense is refused, never trusted.
/// </summary>
public interface IDeepRlMessage
{
    /// <summary>Null when the message is well-formed, else what is wrong with it.</summary>
    string? Validate();
}

/// <summary>Limits every message is held to (a chunk's bytes, names, argument lists).</summary>
public static class Limits
{
    /// <summary>Bytes of artifact data per chunk; Akka's frame size is set above it.</summary>
    public const int ChunkBytes = 256 * 1024;

    /// <summary>The largest artifact (a run folder with its checkpoint and replay buffer) a member accepts.</summary>
    public const long ArtifactBytes = 4L * 1024 * 1024 * 1024;

    public const int NameLength = 256;

    public const int SpecJsonLength = 64 * 1024;

    public const int ReasonLength = 4096;

    /// <summary>Plugin assemblies one benchmark may name.</summary>
    public const int Assemblies = 64;

    internal static string? Name(string? value, string what) =>
        string.IsNullOrEmpty(value) ? $"{what} is empty"
        : value.Length > NameLength ? $"{what} is {value.Length} characters long (at most {NameLength})"
        : value.IndexOfAny(['/', '\\', '\0']) >= 0 || value is "." or ".." ? $"{what} '{value}' is not a plain name"
        : null;

    internal static string? Sha256Hex(string? value, string what) =>
        value is { Length: 64 } && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f') ? null : $"{what} is not a lower-case hex SHA-256";

    internal static string? Bytes(byte[]? value, int max, string what) =>
        value is null ? $"{what} is missing" : value.Length > max ? $"{what} has {value.Length} bytes (at most {max})" : null;
}

/// <summary>The first message of a node to a coordinator: who it is, what protocol it speaks, a challenge for the coordinator.</summary>
[MessagePackObject]
public sealed record NodeHello(
    [property: Key(0)] int Protocol,
    [property: Key(1)] string Node,
    [property: Key(2)] int Slots,
    [property: Key(3)] byte[] Nonce) : IDeepRlMessage
{
    public string? Validate() =>
        Limits.Name(Node, "the node name") ?? (Slots is < 1 or > 1024 ? $"slots must be 1 to 1024, got {Slots}" : null)
        ?? Limits.Bytes(Nonce, 64, "the nonce");
}

/// <summary>The coordinator's answer to <see cref="NodeHello"/>: its proof of the secret, and its own challenge.</summary>
[MessagePackObject]
public sealed record CoordinatorChallenge(
    [property: Key(0)] int Protocol,
    [property: Key(1)] byte[] Proof,
    [property: Key(2)] byte[] Nonce) : IDeepRlMessage
{
    public string? Validate() => Limits.Bytes(Proof, 64, "the proof") ?? Limits.Bytes(Nonce, 64, "the nonce");
}

/// <summary>The node's proof that it holds the secret.</summary>
[MessagePackObject]
public sealed record NodeProof([property: Key(0)] byte[] Proof) : IDeepRlMessage
{
    public string? Validate() => Limits.Bytes(Proof, 64, "the proof");
}

/// <summary>The coordinator accepted the node: it may now ask for cells.</summary>
[MessagePackObject]
public sealed record Welcome([property: Key(0)] string BenchmarkId) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(BenchmarkId, "the benchmark id");
}

/// <summary>Either side refuses the other (protocol version, secret); the reason is logged on both sides.</summary>
[MessagePackObject]
public sealed record Refused([property: Key(0)] string Reason) : IDeepRlMessage
{
    public string? Validate() => Reason is null || Reason.Length > Limits.ReasonLength ? "the reason is missing or too long" : null;
}

/// <summary>A node has a free slot and asks for a cell (work is pulled, never pushed).</summary>
[MessagePackObject]
public sealed record RequestCell([property: Key(0)] string BenchmarkId) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(BenchmarkId, "the benchmark id");
}

/// <summary>
/// A cell for a node to train. With <see cref="ResumeBytes"/> &gt; 0 the cell's run folder (with its last checkpoint)
/// follows as an artifact of that size, and the node resumes it once the artifact is complete and verified. The
/// benchmark's plugin assemblies (<c>--env-assembly</c>) are named by file name and SHA-256: a node that does not hold
/// one by that hash asks for it (<see cref="RequestAssembly"/>) before it starts the cell.
/// </summary>
[MessagePackObject]
public sealed record AssignCell(
    [property: Key(0)] string BenchmarkId,
    [property: Key(1)] string SpecJson,
    [property: Key(2)] string Env,
    [property: Key(3)] string Algo,
    [property: Key(4)] int Seed,
    [property: Key(5)] long ResumeBytes,
    [property: Key(6)] AssemblyRef[] Assemblies) : IDeepRlMessage
{
    public string? Validate() =>
        Limits.Name(BenchmarkId, "the benchmark id") ?? (SpecJson is null || SpecJson.Length > Limits.SpecJsonLength ? "the benchmark definition is missing or too long" : null)
        ?? (Env is null || Env.Length > Limits.NameLength ? "the env id is missing or too long" : null) ?? Limits.Name(Algo, "the algorithm")
        ?? (ResumeBytes is < 0 or > Limits.ArtifactBytes ? $"the resume artifact size {ResumeBytes} is out of range" : null)
        ?? PluginsProblem();

    private string? PluginsProblem() =>
        Assemblies is null || Assemblies.Length > Limits.Assemblies ? $"the plugin list is missing or longer than {Limits.Assemblies}"
        : Assemblies.Select(a => a is null ? "a plugin entry is empty" : a.Validate()).FirstOrDefault(p => p is not null);
}

/// <summary>A plugin assembly by file name and content hash (lower-case hex SHA-256).</summary>
[MessagePackObject]
public sealed record AssemblyRef([property: Key(0)] string FileName, [property: Key(1)] string Sha256)
{
    public string? Validate() =>
        Limits.Name(FileName, "the plugin file name") ?? (!FileName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? $"the plugin '{FileName}' is not a .dll" : null)
        ?? Limits.Sha256Hex(Sha256, "the plugin's hash");
}

/// <summary>A node asks the coordinator for a plugin assembly it does not hold; it comes back as an artifact.</summary>
[MessagePackObject]
public sealed record RequestAssembly([property: Key(0)] string BenchmarkId, [property: Key(1)] string Sha256) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(BenchmarkId, "the benchmark id") ?? Limits.Sha256Hex(Sha256, "the plugin's hash");
}

/// <summary>
/// What an artifact is: a run folder to resume from, a checkpoint snapshot of a running cell, a finished cell, or a
/// plugin assembly (its <see cref="ArtifactChunk.Cell"/> is then the assembly's hash).
/// </summary>
public enum ArtifactKind
{
    Resume = 0,
    Checkpoint = 1,
    Final = 2,
    Assembly = 3,
}

/// <summary>
/// One chunk of an artifact (a zipped run folder). The receiver checks the index, count and total size against the
/// first chunk's, writes the bytes to a temp file, and verifies the whole file's SHA-256 with the last chunk.
/// </summary>
[MessagePackObject]
public sealed record ArtifactChunk(
    [property: Key(0)] string TransferId,
    [property: Key(1)] string Cell,
    [property: Key(2)] ArtifactKind Kind,
    [property: Key(3)] int Index,
    [property: Key(4)] int Count,
    [property: Key(5)] long TotalBytes,
    [property: Key(6)] byte[] Sha256,
    [property: Key(7)] byte[] Data,
    [property: Key(8)] int ExitCode) : IDeepRlMessage
{
    public string? Validate() =>
        Limits.Name(TransferId, "the transfer id") ?? Limits.Name(Cell, "the cell")
        ?? (!Enum.IsDefined(Kind) ? $"unknown artifact kind {(int)Kind}" : null)
        ?? (TotalBytes is < 0 or > Limits.ArtifactBytes ? $"the artifact size {TotalBytes} is out of range" : null)
        ?? (Count != Math.Max(1, (int)((TotalBytes + Limits.ChunkBytes - 1) / Limits.ChunkBytes)) ? $"{Count} chunks do not fit {TotalBytes} bytes" : null)
        ?? (Index < 0 || Index >= Count ? $"chunk {Index} of {Count}" : null)
        ?? Limits.Bytes(Sha256, 32, "the checksum") ?? (Sha256.Length != 32 ? "the checksum is not a SHA-256" : null)
        ?? Limits.Bytes(Data, Limits.ChunkBytes, "the chunk");
}

/// <summary>The receiver's answer to a chunk: go on, or (a checksum mismatch, a bad chunk) send the artifact again.</summary>
[MessagePackObject]
public sealed record ArtifactAck(
    [property: Key(0)] string TransferId,
    [property: Key(1)] int Index,
    [property: Key(2)] bool Ok,
    [property: Key(3)] string? Error) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(TransferId, "the transfer id") ?? (Error is { Length: > Limits.ReasonLength } ? "the error is too long" : null);
}

/// <summary>A node gives a cell back without finishing it (it is leaving): the coordinator queues it again.</summary>
[MessagePackObject]
public sealed record ReturnCell([property: Key(0)] string BenchmarkId, [property: Key(1)] string Cell) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(BenchmarkId, "the benchmark id") ?? Limits.Name(Cell, "the cell");
}
