namespace DeepRL.Agents.Distributed;

/// <summary>
/// One published version of a learner's policy: its parameters flattened in the network's parameter order. Immutable
/// once published, so actors on any thread read it without a lock (and the cluster sends it as it is).
/// </summary>
public sealed record PolicyWeights(long Version, float[] Values);

/// <summary>
/// Where a learner publishes its weights and actors pick up the newest: a single reference swapped atomically. An actor
/// that is several versions behind skips straight to the newest (the lag that V-trace corrects).
/// </summary>
public sealed class WeightsBoard
{
    private PolicyWeights? _latest;

    public PolicyWeights? Latest => Volatile.Read(ref _latest);

    public void Publish(PolicyWeights weights) => Volatile.Write(ref _latest, weights);

    /// <summary>The newest weights if they are newer than <paramref name="version"/>, else null.</summary>
    public PolicyWeights? NewerThan(long version) => Latest is { } w && w.Version > version ? w : null;
}
