using DeepRL.Agents.Impala;
using MessagePack;

namespace DeepRL.Cluster.Protocol;

// IMPALA across the cluster. A node meets a learner (a `deeprl train --algo impala --cluster` process, role "learner")
// with the same handshake as a coordinator (NodeHello → CoordinatorChallenge → NodeProof); the learner then starts
// actors on it. Unrolls flow node → learner, one in flight per actor (each is acknowledged once it is in the learner's
// bounded queue, so a slow learner holds its remote actors back exactly as its local ones); weights flow learner → node
// in chunks when a node asks for a newer version than it holds.

/// <summary>The learner asks an admitted node to run <see cref="Count"/> actors for run <see cref="RunId"/>.</summary>
[MessagePackObject]
public sealed record StartActors(
    [property: Key(0)] string RunId,
    [property: Key(1)] string EnvId,
    [property: Key(2)] Dictionary<string, string> EnvOptions,
    [property: Key(3)] string HyperparametersJson,
    [property: Key(4)] int Seed,
    [property: Key(5)] int Count,
    [property: Key(6)] int FirstActor) : IDeepRlMessage
{
    public string? Validate() =>
        Limits.Name(RunId, "the run id") ?? (EnvId is null || EnvId.Length > Limits.NameLength ? "the env id is missing or too long" : null)
        ?? (EnvOptions is null || EnvOptions.Count > 64 ? "the env options are missing or too many" : null)
        ?? (HyperparametersJson is null || HyperparametersJson.Length > Limits.SpecJsonLength ? "the hyperparameters are missing or too long" : null)
        ?? (Count is < 1 or > 256 ? $"{Count} actors (1 to 256)" : null) ?? (FirstActor < 0 ? "a negative actor number" : null);
}

/// <summary>One unroll of a node's actor; <see cref="Sequence"/> matches the learner's acknowledgement.</summary>
[MessagePackObject]
public sealed record ActorUnroll([property: Key(0)] string RunId, [property: Key(1)] long Sequence, [property: Key(2)] Unroll Unroll) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(RunId, "the run id") ?? (Unroll is null ? "the unroll is missing" : null);
}

/// <summary>The unroll is in the learner's queue; <see cref="LatestVersion"/> tells the node whether newer weights exist.</summary>
[MessagePackObject]
public sealed record UnrollAck([property: Key(0)] string RunId, [property: Key(1)] long Sequence, [property: Key(2)] long LatestVersion) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(RunId, "the run id") ?? (LatestVersion < 0 ? "a negative version" : null);
}

/// <summary>A node asks for the learner's newest weights (it holds <see cref="Have"/>, −1 for none).</summary>
[MessagePackObject]
public sealed record WeightsRequest([property: Key(0)] string RunId, [property: Key(1)] long Have) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(RunId, "the run id");
}

/// <summary>Part <see cref="Index"/> of <see cref="Count"/> of one version of the weights (flat float32, in parameter order).</summary>
[MessagePackObject]
public sealed record WeightsChunk(
    [property: Key(0)] string RunId,
    [property: Key(1)] long Version,
    [property: Key(2)] int Index,
    [property: Key(3)] int Count,
    [property: Key(4)] int TotalValues,
    [property: Key(5)] float[] Values) : IDeepRlMessage
{
    /// <summary>Floats per chunk: 5 bytes each in MessagePack, so a chunk stays under the frame size.</summary>
    public const int ValuesPerChunk = 32 * 1024;

    /// <summary>One version of the weights as the chunks that carry it.</summary>
    public static IEnumerable<WeightsChunk> Split(string runId, DeepRL.Agents.Distributed.PolicyWeights weights)
    {
        var values = weights.Values;
        int count = (values.Length + ValuesPerChunk - 1) / ValuesPerChunk;
        for (int i = 0; i < count; i++)
        {
            int start = i * ValuesPerChunk;
            yield return new WeightsChunk(runId, weights.Version, i, count, values.Length, values.AsSpan(start, Math.Min(ValuesPerChunk, values.Length - start)).ToArray());
        }
    }

    public string? Validate() =>
        Limits.Name(RunId, "the run id") ?? (Version < 0 ? "a negative version" : null)
        ?? (TotalValues is < 1 or > 256 * 1024 * 1024 ? $"{TotalValues} weights is out of range" : null)
        ?? (Count != (TotalValues + ValuesPerChunk - 1) / ValuesPerChunk ? $"{Count} chunks do not fit {TotalValues} weights" : null)
        ?? (Index < 0 || Index >= Count ? $"chunk {Index} of {Count}" : null)
        ?? (Values is null || Values.Length != Math.Min(ValuesPerChunk, TotalValues - Index * ValuesPerChunk) ? "the chunk has the wrong number of weights" : null);
}

/// <summary>
/// Either side ends a node's actors for a run: the learner when the run ends, a node when an actor failed there (the
/// learner then drops that node's actors and goes on with the others).
/// </summary>
[MessagePackObject]
public sealed record StopActors([property: Key(0)] string RunId, [property: Key(1)] string Reason) : IDeepRlMessage
{
    public string? Validate() => Limits.Name(RunId, "the run id") ?? (Reason is null || Reason.Length > Limits.ReasonLength ? "the reason is missing or too long" : null);
}
