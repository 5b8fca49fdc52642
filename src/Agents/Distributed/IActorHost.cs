namespace DeepRL.Agents.Distributed;

/// <summary>
/// Somewhere actors run for a learner: threads of the learner's process (<see cref="ActorThreads{T}"/>) or the nodes of a
/// cluster. A host feeds the learner's queue and reads its weights board; the learner only asks how it is doing. A host
/// decides what a failing actor means: a local thread's exception stops the run (<see cref="Failure"/>), a lost cluster
/// node is dropped and the others go on.
/// </summary>
public interface IActorHost<TExperience> : IDisposable
{
    /// <summary>Starts the host's actors feeding <paramref name="queue"/> from the weights on <paramref name="board"/>.</summary>
    void Start(ExperienceQueue<TExperience> queue, WeightsBoard board);

    /// <summary>Actors running now.</summary>
    int ActiveActors { get; }

    /// <summary>True when actors may still arrive (cluster nodes that join later); a learner then waits instead of failing.</summary>
    bool MayGainActors { get; }

    /// <summary>Env steps sent by this host's actors (all of them, since start).</summary>
    long StepsSent { get; }

    /// <summary>An error that must stop the run (null while all is well).</summary>
    Exception? Failure { get; }

    /// <summary>Stops the actors and waits for them, at most <paramref name="timeout"/>; returns the actors that did not stop in time.</summary>
    int Stop(TimeSpan timeout);
}

/// <summary>A local actor thread failed: the run stops and says which actor, after how many of its steps, and why.</summary>
public sealed class ActorFailedException(int actor, long steps, Exception inner)
    : Exception($"Actor {actor} failed after {steps} env steps: {inner.Message}", inner)
{
    public int Actor { get; } = actor;

    public long Steps { get; } = steps;
}
