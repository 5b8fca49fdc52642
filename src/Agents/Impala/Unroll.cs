using MessagePack;

namespace DeepRL.Agents.Impala;

/// <summary>
/// What an IMPALA actor sends its learner: <see cref="Steps"/> consecutive steps of its <see cref="Envs"/> envs under
/// the policy of <see cref="PolicyVersion"/>. Arrays are time-major ([t, e] at <c>t·Envs + e</c>). The observations
/// have one row more than the steps — the observation after the last step, from which the learner bootstraps — and so
/// do the episode-start flags. The behaviour policy is given by its outputs (logits, or Gaussian means with
/// <see cref="BehaviourLogStd"/>), so the learner computes the importance weights itself. A recurrent policy's state
/// before the first step travels along (the learner replays the unroll from it). One message on the cluster's wire.
/// </summary>
[MessagePackObject]
public sealed record Unroll(
    [property: Key(0)] int Actor,
    [property: Key(1)] long PolicyVersion,
    [property: Key(2)] int Steps,
    [property: Key(3)] int Envs,
    [property: Key(4)] float[] Observations,
    [property: Key(5)] bool[] EpisodeStarts,
    [property: Key(6)] float[] Actions,
    [property: Key(7)] float[] BehaviourOutputs,
    [property: Key(8)] float[] BehaviourLogStd,
    [property: Key(9)] float[] Rewards,
    [property: Key(10)] bool[] Terminated,
    [property: Key(11)] bool[] Truncated,
    [property: Key(12)] float[] FinalValues,
    [property: Key(13)] bool[]? ActionMasks,
    [property: Key(14)] float[]? InitialH,
    [property: Key(15)] float[]? InitialC,
    [property: Key(16)] double[] EpisodeReturns,
    [property: Key(17)] int[] EpisodeLengths)
{
    /// <summary>
    /// Checks every array against the shapes this learner expects (an unroll from another process is untrusted input):
    /// null when it fits, else a sentence naming the first field that does not.
    /// </summary>
    public string? Validate(int steps, int observationSize, int actionSize, int actorOutputs, bool masked, int stateSize)
    {
        if (Steps != steps) return $"the unroll has {Steps} steps, the learner's unroll_length is {steps}";
        if (Envs is < 1 or > 4096) return $"the unroll has {Envs} envs (1 to 4096)";
        if (PolicyVersion < 0) return $"policy version {PolicyVersion} is negative";
        int n = steps * Envs;
        (string Name, int? Length, int Expected)[] fields =
        [
            ("observations", Observations?.Length, (steps + 1) * Envs * observationSize),
            ("episode starts", EpisodeStarts?.Length, (steps + 1) * Envs),
            ("actions", Actions?.Length, n * actionSize),
            ("behaviour outputs", BehaviourOutputs?.Length, n * actorOutputs),
            ("rewards", Rewards?.Length, n),
            ("terminated flags", Terminated?.Length, n),
            ("truncated flags", Truncated?.Length, n),
            ("final values", FinalValues?.Length, n),
        ];
        foreach (var (name, length, expected) in fields)
            if (length != expected) return $"the unroll's {name} have {length?.ToString() ?? "no"} entries, {expected} expected";
        if (masked != (ActionMasks is not null) || (ActionMasks is { } m && m.Length != n * actorOutputs))
            return masked ? $"the unroll's action masks are missing or not {n * actorOutputs} entries" : "the unroll has action masks this env does not";
        if (stateSize > 0 && (InitialH?.Length != Envs * stateSize || InitialC is null))
            return $"the unroll's recurrent state is missing or not {Envs}×{stateSize}";
        if (EpisodeReturns is null || EpisodeLengths is null || EpisodeReturns.Length != EpisodeLengths.Length || EpisodeReturns.Length > n)
            return "the unroll's finished episodes are malformed";
        foreach (float v in Rewards!) if (!float.IsFinite(v)) return "the unroll has a non-finite reward";
        return null;
    }

    /// <summary>Env steps in this unroll.</summary>
    [IgnoreMember]
    public int EnvSteps => Steps * Envs;
}
