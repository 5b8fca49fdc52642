namespace DeepRL.Replay;

/// <summary>
/// One stored transition, possibly an n-step one. <see cref="Discount"/> is the factor applied to the
/// bootstrap value of <see cref="NextObservation"/>: γⁿ when the episode goes on (or was truncated),
/// 0 when it terminated — so targets are <c>reward + discount · V(next)</c> whatever n was.
/// </summary>
public readonly ref struct Transition
{
    public Transition(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation, float discount)
    {
        Observation = observation;
        Action = action;
        Reward = reward;
        NextObservation = nextObservation;
        Discount = discount;
    }

    public ReadOnlySpan<float> Observation { get; }

    public int Action { get; }

    public float Reward { get; }

    public ReadOnlySpan<float> NextObservation { get; }

    public float Discount { get; }
}
