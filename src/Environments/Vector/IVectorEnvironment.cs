using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Vector;

/// <summary>
/// N copies of an environment stepped together. Results land in preallocated arrays (row i belongs to
/// env i), so stepping allocates nothing. Episodes auto-reset in the same step: when env i finishes,
/// <see cref="Observations"/> row i already holds the first observation of its next episode, and the
/// last observation of the finished one is kept in <see cref="FinalObservations"/> (needed to bootstrap
/// truncated episodes).
/// </summary>
public interface IVectorEnvironment : IDisposable
{
    int NumEnvs { get; }

    Box SingleObservationSpace { get; }

    Space SingleActionSpace { get; }

    EnvSpec? Spec { get; }

    /// <summary>NumEnvs × obs size, row-major.</summary>
    float[] Observations { get; }

    float[] Rewards { get; }

    bool[] Terminated { get; }

    bool[] Truncated { get; }

    /// <summary>Row i is the finished episode's last observation when <see cref="HasFinalObservation"/>[i].</summary>
    float[] FinalObservations { get; }

    bool[] HasFinalObservation { get; }

    /// <summary>Return and length of the episode env i just finished (valid where it finished this step).</summary>
    double[] FinishedEpisodeReturns { get; }

    int[] FinishedEpisodeLengths { get; }

    /// <summary>
    /// NumEnvs × actions, row-major: which actions are valid for the current <see cref="Observations"/> (true =
    /// valid), or null when the env does not mask actions (<see cref="IActionMasking"/>).
    /// </summary>
    bool[]? ActionMasks => null;

    /// <summary>Row i is the mask of <see cref="FinalObservations"/> row i (a truncated episode's bootstrap state).</summary>
    bool[]? FinalActionMasks => null;

    /// <summary>Resets every env; env i gets seed <c>seed + i</c>.</summary>
    void Reset(int? seed = null);

    /// <summary>Steps every env with one discrete action each.</summary>
    void Step(ReadOnlySpan<int> actions);

    /// <summary>Steps every env with a continuous action each: NumEnvs × action size, row-major.</summary>
    void Step(ReadOnlySpan<float> actions);
}
