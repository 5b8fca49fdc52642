namespace DeepRL.Agents.Distributed;

/// <summary>
/// What one actor talks to: where its experience goes and where the learner's weights come from. A local actor thread
/// gets a <see cref="LocalActorLink{T}"/> (an in-process queue and board); an actor on a cluster node gets a link whose
/// two calls are messages to the learner's process. The actor's code is the same either way, and it knows nothing of
/// which algorithm consumes its experience: an IMPALA actor sends unrolls, an Ape-X actor would send transitions for
/// the learner's replay through the same two calls.
/// </summary>
public interface IActorLink<in TExperience>
{
    /// <summary>
    /// Hands one piece of experience to the learner, waiting (bounded) while it has no room. False when the learner will
    /// take no more (the run is ending): the actor then stops.
    /// </summary>
    bool Send(TExperience experience, CancellationToken cancel);

    /// <summary>The learner's newest weights if newer than <paramref name="version"/>; null when the actor is current.</summary>
    PolicyWeights? NewerWeights(long version);
}

/// <summary>An actor thread's link in the learner's own process: the bounded queue and the weights board.</summary>
public sealed class LocalActorLink<T>(ExperienceQueue<T> queue, WeightsBoard board) : IActorLink<T>
{
    public bool Send(T experience, CancellationToken cancel)
    {
        // Bounded retries of a bounded wait: a full queue means the learner is busy, a cancelled token means the run ends.
        while (!cancel.IsCancellationRequested)
        {
            if (queue.TryAdd(experience, TimeSpan.FromMilliseconds(500), cancel)) return true;
            if (queue.IsCompleted) return false;
        }
        return false;
    }

    public PolicyWeights? NewerWeights(long version) => board.NewerThan(version);
}
